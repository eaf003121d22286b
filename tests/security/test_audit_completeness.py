"""Audit completeness: every successful read or write of patient data leaves an audit event.

Replays the authorization matrix (``keel/accounts/authz_matrix.py``) with an
audit collector around each request: for every request by a signed-in role
that succeeded (2xx, or the redirect after a page write) on a route that
reads or writes patient data, the events the request wrote are collected,
and at least one must carry every required field (docs/audit.md, SECURITY.md
section 3): who (user id, username, role), action, object type, the patient,
time, outcome and client address. A request about patient A must name patient
A. Lists are audited per patient shown, so only roles that see patient A are
held to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from conftest import World
from keel.accounts.authz_matrix import (
    LISTS,
    NO_PATIENT_DATA,
    PAGE_CONFLICTS,
    PATIENT_DATA_API,
    PATIENT_DATA_PAGES,
    ROLES,
    SEES_PATIENT_A,
)
from keel.audit.models import AuditEvent, AuditOutcome
from tests.security.harness import (
    Objects,
    Route,
    build_objects,
    declared,
    discover_routes,
    rolled_back,
    send,
)

pytestmark = pytest.mark.django_db

REQUIRED = (
    "actor_user_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "occurred_at",
    "outcome",
    "client_address",
    "request_id",
)
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")


def _patient_data(route: Route) -> bool:
    if (route.key, route.method) in NO_PATIENT_DATA:
        return False
    return route.key in (PATIENT_DATA_PAGES if route.kind == "page" else PATIENT_DATA_API)


def _about_patient_a(route: Route) -> bool:
    """Routes whose path names one of patient A's records (not lists, not creates)."""
    return bool(route.parameters) and route.key not in LISTS


@dataclass
class Collector:
    """The audit events each request wrote, by request."""

    seen: dict[str, list[AuditEvent]] = field(default_factory=dict)

    def last_sequence(self) -> int:
        event = AuditEvent.objects.order_by("-sequence").first()
        return event.sequence if event is not None else 0

    def collect(self, label: str, after: int) -> list[AuditEvent]:
        events = list(AuditEvent.objects.filter(sequence__gt=after).order_by("sequence"))
        self.seen[label] = events
        return events


@pytest.fixture
def collector() -> Iterator[Collector]:
    yield Collector()


def _missing_fields(event: AuditEvent) -> list[str]:
    return [name for name in REQUIRED if getattr(event, name) in (None, "", "-")]


def _succeeded(route: Route, status: int) -> bool:
    if (route.key, route.method) in PAGE_CONFLICTS:
        return False
    return 200 <= status < 300 or (route.kind == "page" and route.writes and status == 302)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_successful_patient_data_request_is_audited(
    world: World, collector: Collector, role: str
) -> None:
    objects: Objects = build_objects(world)
    routes, _ = discover_routes()
    client = world.client(role)
    checked = 0
    failures: list[str] = []
    for route in routes:
        row = declared(route)
        if row is None or not _patient_data(route) or not _succeeded(route, row[role]):
            continue
        if route.key in LISTS and role not in SEES_PATIENT_A:
            continue
        with rolled_back():
            before = collector.last_sequence()
            outcome = send(client, route, objects)
            events = collector.collect(f"{role} {route.label}", before)
        if not _succeeded(route, outcome.status):
            continue  # the matrix test reports the status
        checked += 1
        where = f"{role} {route.label} -> {outcome.status}"
        complete = [e for e in events if not _missing_fields(e)]
        if not events:
            failures.append(f"{where}: no audit event")
            continue
        if not complete:
            failures.append(f"{where}: events miss {_missing_fields(events[0])}")
            continue
        if all(e.patient_id is None for e in complete):
            failures.append(f"{where}: no event names a patient")
        elif _about_patient_a(route) and objects.patient_id not in {e.patient_id for e in complete}:
            failures.append(f"{where}: no event names patient A")
        if not any(e.outcome == AuditOutcome.SUCCESS for e in complete):
            failures.append(f"{where}: no event with outcome success")
    assert checked or role not in SEES_PATIENT_A
    assert not failures, f"{len(failures)} of {checked} requests:\n" + "\n".join(failures)


def test_denied_reads_of_patient_a_are_audited_as_denied(world: World) -> None:
    """A refused read of one of patient A's records (404) leaves a denied event naming the actor."""
    objects = build_objects(world)
    routes, _ = discover_routes()
    failures: list[str] = []
    for role in ("nurse_y", "psychiatrist_other", "clinic_admin_x", "patient_b"):
        client = world.client(role)
        for route in routes:
            row = declared(route)
            if (
                row is None
                or route.method != "GET"
                or row[role] != 404
                or not _patient_data(route)
                or not _about_patient_a(route)
            ):
                continue
            with rolled_back():
                before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)
                after = before.first() or 0
                send(client, route, objects)
                denied = AuditEvent.objects.filter(
                    sequence__gt=after,
                    outcome=AuditOutcome.DENIED,
                    actor_username=world.users[role].username,
                )
                if not denied.exists():
                    failures.append(f"{role} {route.label}: no denied event")
    assert not failures, "\n".join(failures)
