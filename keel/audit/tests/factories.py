"""Factories for audit tests.

Audit events are never built by a factory: they are written through the
services, which chain them. What tests need is someone to act.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory
from factory.base import Factory


@dataclass(frozen=True)
class FakeActor:
    """Satisfies ``keel.audit.services.AuditActor`` without the accounts app."""

    user_id: int
    username: str
    role_label: str
    clinic_id: int | None


class AuditActorFactory(Factory[FakeActor]):
    class Meta:
        model = FakeActor

    user_id = factory.Sequence(lambda n: 1000 + n)
    username = factory.Sequence(lambda n: f"staff{n}")
    role_label = "nurse"
    clinic_id = 1
