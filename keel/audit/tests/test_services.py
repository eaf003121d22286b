from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from keel.audit import context
from keel.audit.chain import GENESIS_HASH, verify_chain
from keel.audit.middleware import AuditContextMiddleware
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome
from keel.audit.services import audit_record, audit_record_many
from keel.audit.tests.factories import FakeActor

pytestmark = pytest.mark.django_db


def test_audit_record_fills_every_required_field(rf: RequestFactory, actor: FakeActor) -> None:
    """Who, role, clinic, action, object, patient, time, outcome, address and request id are stored."""
    recorded: list[AuditEvent] = []

    def view(request: HttpRequest) -> HttpResponse:
        recorded.append(
            audit_record(
                actor=actor,
                action=AuditAction.READ,
                object_type="patient",
                object_id=42,
                patient_id=42,
            )
        )
        return HttpResponse("ok")

    request = rf.get(
        "/patients/42/",
        REMOTE_ADDR="10.0.0.5",
        HTTP_USER_AGENT="Mozilla/5.0 (pytest)",
        HTTP_X_REQUEST_ID="req-abc-123",
    )
    before = timezone.now()
    response = AuditContextMiddleware(view)(request)

    assert response["X-Request-ID"] == "req-abc-123"
    event = AuditEvent.objects.get(pk=recorded[0].pk)
    assert event.actor_user_id == 7
    assert event.actor_username == "nurse.kim"
    assert event.actor_role == "nurse"
    assert event.clinic_id == 1
    assert event.action == AuditAction.READ
    assert event.object_type == "patient"
    assert event.object_id == "42"
    assert event.patient_id == 42
    assert event.outcome == AuditOutcome.SUCCESS
    assert before <= event.occurred_at <= timezone.now()
    assert event.occurred_at.tzinfo is not None
    assert event.client_address == "10.0.0.5"
    assert event.user_agent == "Mozilla/5.0 (pytest)"
    assert event.request_id == "req-abc-123"
    assert event.detail == {}
    assert event.sequence == 1
    assert event.prev_hash == GENESIS_HASH
    assert len(event.hash) == 64


def test_audit_record_outside_a_request_records_dashes_and_system() -> None:
    """Without a request and without an actor the event says so instead of leaving blanks."""
    event = audit_record(actor=None, action=AuditAction.EXPORT, object_type="audit_chain")
    assert (event.actor_user_id, event.actor_username, event.actor_role) == (
        None,
        "system",
        "system",
    )
    assert (event.client_address, event.user_agent, event.request_id) == ("-", "-", "-")
    assert event.clinic_id is None
    assert event.object_id == ""


def test_audit_record_username_names_an_unauthenticated_user() -> None:
    """A failed login names the attempted username, with role anonymous and no user id."""
    event = audit_record(
        actor=None,
        username="mallory",
        action=AuditAction.LOGIN_FAILED,
        object_type="session",
        outcome=AuditOutcome.DENIED,
        clinic_id=None,
    )
    assert (event.actor_user_id, event.actor_username, event.actor_role) == (
        None,
        "mallory",
        "anonymous",
    )


def test_audit_record_refuses_actor_and_username_together(actor: FakeActor) -> None:
    """Naming a second user next to the actor would misattribute the event."""
    with pytest.raises(ValueError, match="either actor or username"):
        audit_record(actor=actor, username="x", action=AuditAction.READ, object_type="patient")


def test_audit_record_explicit_clinic_overrides_actor_clinic(actor: FakeActor) -> None:
    """A caller acting on another clinic's object (e.g. psychiatrist of record) names it."""
    event = audit_record(actor=actor, action=AuditAction.READ, object_type="patient", clinic_id=9)
    assert event.clinic_id == 9


def test_audit_record_stores_detail_as_plain_json(actor: FakeActor) -> None:
    """Dates and UUIDs in detail become strings, so stored and hashed values agree."""
    token = uuid.UUID("12345678-1234-5678-1234-567812345678")
    event = audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="patient",
        object_id=3,
        patient_id=3,
        detail={"fields": ["weight_kg"], "ref": token, "on": dt.date(2025, 1, 2)},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.detail == {
        "fields": ["weight_kg"],
        "ref": "12345678-1234-5678-1234-567812345678",
        "on": "2025-01-02",
    }
    assert verify_chain().ok is True


def test_audit_record_refuses_nan_in_detail(actor: FakeActor) -> None:
    """NaN is not JSON; PostgreSQL would refuse it, so it is refused everywhere."""
    with pytest.raises(ValueError, match="JSON"):
        audit_record(
            actor=actor, action=AuditAction.READ, object_type="x", detail={"v": float("nan")}
        )


def test_audit_record_clips_long_text_to_the_column(actor: FakeActor) -> None:
    """Over-long values are cut before hashing, so PostgreSQL stores exactly what was hashed."""
    token = context.activate(context.RequestContext(client_address="1.2.3.4", user_agent="u" * 999))
    try:
        event = audit_record(
            actor=actor, action=AuditAction.READ, object_type="patient", object_id="9" * 500
        )
    finally:
        context.deactivate(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert len(stored.user_agent) == 300
    assert len(stored.object_id) == 128
    assert verify_chain().ok is True


def test_audit_record_many_writes_one_event_per_row_in_one_insert(
    actor: FakeActor, django_assert_max_num_queries: object
) -> None:
    """A list page of patients yields one read event per patient, chained in order."""
    rows: list[tuple[str | int, int | None]] = [(11, 11), (12, 12), ("note-5", 13)]
    # savepoint, lock (PostgreSQL), head, one INSERT, release: whatever the row count
    with django_assert_max_num_queries(5):  # type: ignore[operator]  # pytest-django fixture
        events = audit_record_many(
            actor=actor, action=AuditAction.READ, object_type="patient", objects=rows
        )
    assert [(e.sequence, e.object_id, e.patient_id) for e in events] == [
        (1, "11", 11),
        (2, "12", 12),
        (3, "note-5", 13),
    ]
    assert events[1].prev_hash == events[0].hash
    assert all(e.pk is not None for e in events)
    assert AuditEvent.objects.count() == 3
    assert len({e.occurred_at for e in events}) == 1
    assert verify_chain().ok is True


def test_audit_record_many_with_no_rows_writes_nothing(
    actor: FakeActor, django_assert_num_queries: object
) -> None:
    """An empty list page takes no lock and writes no event."""
    with django_assert_num_queries(0):  # type: ignore[operator]  # pytest-django fixture
        events = audit_record_many(
            actor=actor, action=AuditAction.READ, object_type="patient", objects=[]
        )
    assert events == []


def test_events_chain_across_calls(actor: FakeActor) -> None:
    """Each event's prev_hash is the previous event's hash; sequences are contiguous."""
    first = audit_record(actor=actor, action=AuditAction.CREATE, object_type="patient")
    second = audit_record(actor=actor, action=AuditAction.UPDATE, object_type="patient")
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.prev_hash == first.hash


def test_detail_of_every_json_type_verifies_after_the_database_round_trip(
    actor: FakeActor,
) -> None:
    """jsonb reorders keys and rewrites numbers; the stored event still verifies."""
    detail = {
        "z": 1,
        "a": [1, "é", None, True, False, {"y": 2, "x": 1.0}],
        "half": 0.5,
        "small": 1e-7,
        "big_int": 2**62,
        "float_near_limit": 123456789012345.0,
        "text": 'quote " and \\ backslash',
    }
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="dose", detail=detail)
    assert AuditEvent.objects.get().detail == detail
    assert verify_chain().ok is True


def test_detail_refuses_floats_that_would_not_round_trip(actor: FakeActor) -> None:
    """1e16 would come back from PostgreSQL as an integer and break the hash."""
    with pytest.raises(ValueError, match="too large"):
        audit_record(
            actor=actor, action=AuditAction.READ, object_type="x", detail={"v": [{"w": 1e16}]}
        )
