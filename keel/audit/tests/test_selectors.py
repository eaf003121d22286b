from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from keel.audit import context
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome
from keel.audit.selectors import SORT_FIELDS, audit_event_list
from keel.audit.services import audit_record
from keel.audit.tests.factories import FakeActor

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)


def _at(
    minutes: int,
    actor: FakeActor | None,
    action: AuditAction = AuditAction.READ,
    *,
    object_type: str = "patient",
    patient_id: int | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    address: str = "10.0.0.1",
    clinic_id: int | None = None,
) -> AuditEvent:
    token = context.activate(context.RequestContext(client_address=address))
    try:
        with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
            return audit_record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=patient_id,
                patient_id=patient_id,
                outcome=outcome,
                clinic_id=clinic_id,
            )
    finally:
        context.deactivate(token)


@pytest.fixture
def events() -> Iterator[dict[str, AuditEvent]]:
    kim = FakeActor(user_id=1, username="kim", role_label="nurse", clinic_id=1)
    ada = FakeActor(user_id=2, username="ada", role_label="physician", clinic_id=1)
    zed = FakeActor(user_id=3, username="zed", role_label="nurse", clinic_id=2)
    yield {
        "kim_read": _at(0, kim, patient_id=20, address="10.0.0.9"),
        "ada_update": _at(10, ada, AuditAction.UPDATE, patient_id=10, address="10.0.0.3"),
        "kim_denied": _at(
            20,
            kim,
            AuditAction.DELETE,
            object_type="session",
            patient_id=30,
            outcome=AuditOutcome.DENIED,
            address="10.0.0.5",
        ),
        "system_export": _at(
            30, None, AuditAction.EXPORT, object_type="bundle", clinic_id=1, address="10.0.0.7"
        ),
        "other_clinic": _at(5, zed, patient_id=20),
    }


def _names(events: dict[str, AuditEvent], found: object) -> list[str]:
    by_pk = {event.pk: name for name, event in events.items()}
    assert isinstance(found, list)
    return [by_pk[event.pk] for event in found]


def test_list_is_restricted_to_one_clinic(events: dict[str, AuditEvent]) -> None:
    """Another clinic's events never appear, whatever the filters."""
    assert "other_clinic" not in _names(events, list(audit_event_list(clinic_id=1)))
    assert _names(events, list(audit_event_list(clinic_id=2))) == ["other_clinic"]
    assert list(audit_event_list(clinic_id=3)) == []
    assert list(audit_event_list(clinic_id=1, username="zed")) == []


def test_default_order_is_newest_first(events: dict[str, AuditEvent]) -> None:
    """Without a sort the report starts at the latest event."""
    assert _names(events, list(audit_event_list(clinic_id=1))) == [
        "system_export",
        "kim_denied",
        "ada_update",
        "kim_read",
    ]


def test_period_is_half_open(events: dict[str, AuditEvent]) -> None:
    """date_from is included, date_to is not."""
    found = audit_event_list(
        clinic_id=1, date_from=T0 + dt.timedelta(minutes=10), date_to=T0 + dt.timedelta(minutes=30)
    )
    assert _names(events, list(found)) == ["kim_denied", "ada_update"]
    assert _names(events, list(audit_event_list(clinic_id=1, date_to=T0))) == []
    assert _names(
        events, list(audit_event_list(clinic_id=1, date_from=T0 + dt.timedelta(minutes=30)))
    ) == ["system_export"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"username": "kim"}, ["kim_denied", "kim_read"]),
        ({"username": "system"}, ["system_export"]),
        ({"username": "Kim"}, []),
        ({"patient_id": 20}, ["kim_read"]),
        ({"action": "update"}, ["ada_update"]),
        ({"outcome": "denied"}, ["kim_denied"]),
        ({"object_type": "bundle"}, ["system_export"]),
        ({"username": "kim", "action": "read"}, ["kim_read"]),
    ],
)
def test_filters(
    events: dict[str, AuditEvent], filters: dict[str, object], expected: list[str]
) -> None:
    """Each filter narrows the report to matching events."""
    found = audit_event_list(clinic_id=1, **filters)  # type: ignore[arg-type]  # parametrized
    assert _names(events, list(found)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("occurred_at", ["kim_read", "ada_update", "kim_denied", "system_export"]),
        ("-occurred_at", ["system_export", "kim_denied", "ada_update", "kim_read"]),
        ("actor_username", ["ada_update", "kim_read", "kim_denied", "system_export"]),
        ("-actor_username", ["system_export", "kim_denied", "kim_read", "ada_update"]),
        ("patient_id", ["ada_update", "kim_read", "kim_denied", "system_export"]),
        ("-patient_id", ["kim_denied", "kim_read", "ada_update", "system_export"]),
        ("action", ["kim_denied", "system_export", "kim_read", "ada_update"]),
        ("-action", ["ada_update", "kim_read", "system_export", "kim_denied"]),
        ("object_type", ["system_export", "kim_read", "ada_update", "kim_denied"]),
        ("-object_type", ["kim_denied", "ada_update", "kim_read", "system_export"]),
        ("outcome", ["kim_denied", "kim_read", "ada_update", "system_export"]),
        ("-outcome", ["system_export", "ada_update", "kim_read", "kim_denied"]),
        ("client_address", ["ada_update", "kim_denied", "system_export", "kim_read"]),
        ("-client_address", ["kim_read", "system_export", "kim_denied", "ada_update"]),
    ],
)
def test_sort_by_each_field(events: dict[str, AuditEvent], sort: str, expected: list[str]) -> None:
    """Every 170.210(e) element sorts both ways; ties keep append order, no patient sorts last."""
    assert _names(events, list(audit_event_list(clinic_id=1, sort=sort))) == expected


def test_every_sort_field_is_covered() -> None:
    """The parametrized table above tests each allowed field."""
    assert set(SORT_FIELDS) == {
        "occurred_at",
        "actor_username",
        "patient_id",
        "action",
        "object_type",
        "outcome",
        "client_address",
    }


@pytest.mark.parametrize(
    "sort", ["hash", "-detail", "id", "", "-", "occurred_at; drop", "--action"]
)
def test_unknown_sort_is_refused_naming_the_allowed_fields(sort: str) -> None:
    """The caller turns this ValueError into a 4xx."""
    with pytest.raises(ValueError, match="allowed: occurred_at, actor_username, patient_id"):
        audit_event_list(clinic_id=1, sort=sort)


@pytest.mark.parametrize(("name", "value"), [("action", "erase"), ("outcome", "maybe")])
def test_unknown_action_or_outcome_is_refused(name: str, value: str) -> None:
    """A typo must not silently produce an empty report."""
    with pytest.raises(ValueError, match=f"unknown audit {name}"):
        audit_event_list(clinic_id=1, **{name: value})  # type: ignore[arg-type]  # by name
