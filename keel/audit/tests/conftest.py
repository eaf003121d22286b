from __future__ import annotations

from collections.abc import Iterator

import pytest

from keel.audit import services
from keel.audit.tests.factories import AuditActorFactory, FakeActor
from keel.audit.tests.plugin import audit_flushable_transaction_tests
from keel.audit.tests.triggers import append_only_triggers_dropped

__all__ = ["audit_flushable_transaction_tests"]


@pytest.fixture
def actor() -> FakeActor:
    """A nurse in clinic 1."""
    return AuditActorFactory(user_id=7, username="nurse.kim", role_label="nurse", clinic_id=1)


@pytest.fixture
def no_triggers(db: None) -> Iterator[None]:
    """Drop the append-only triggers for one test (an attacker with DB access)."""
    with append_only_triggers_dropped():
        yield


@pytest.fixture(autouse=True)
def _fresh_denied_buffer() -> Iterator[None]:
    """Tests share one context; give each its own buffer of denied events."""
    token = services._pending.set(None)
    yield
    services._pending.reset(token)
