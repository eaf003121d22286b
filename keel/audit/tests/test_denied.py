from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from keel.audit.chain import verify_chain
from keel.audit.middleware import AuditContextMiddleware
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome
from keel.audit.services import audit_denied, flush_pending, pending_count, pending_scope
from keel.audit.tests.factories import FakeActor

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _deny(actor: FakeActor, patient_id: int = 5) -> None:
    audit_denied(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="patient",
        object_id=patient_id,
        patient_id=patient_id,
        detail={"reason": "not_in_scope"},
    )


def test_audit_denied_outside_a_transaction_writes_at_once(actor: FakeActor) -> None:
    """No transaction to lose it: the denied event is stored immediately."""
    with pending_scope():
        _deny(actor)
        assert pending_count() == 0
        event = AuditEvent.objects.get()
    assert event.outcome == AuditOutcome.DENIED
    assert event.detail == {"reason": "not_in_scope"}


def test_audit_denied_survives_the_rollback_of_its_transaction(actor: FakeActor) -> None:
    """A refusal inside atomic() that then rolls back is still stored, once."""
    with pending_scope():
        with pytest.raises(_Rollback), transaction.atomic():
            _deny(actor)
            raise _Rollback
        assert AuditEvent.objects.count() == 0
        assert pending_count() == 1
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert events[0].outcome == AuditOutcome.DENIED
    assert events[0].patient_id == 5
    assert verify_chain().ok is True


def test_audit_denied_is_stored_once_when_its_transaction_commits(actor: FakeActor) -> None:
    """The block commits, the buffer is flushed: one event, not two."""
    with pending_scope():
        with transaction.atomic():
            _deny(actor)
        assert flush_pending() == 1
        assert flush_pending() == 0
    assert AuditEvent.objects.count() == 1


def test_commit_of_outermost_block_flushes_denied_events(
    actor: FakeActor, django_capture_on_commit_callbacks: object
) -> None:
    """Code outside a request (a task) still gets its refusals stored when it commits."""
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]  # fixture
        with transaction.atomic():
            _deny(actor)
        assert AuditEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 1
    assert pending_count() == 0


def test_flush_inside_a_transaction_keeps_the_events(actor: FakeActor) -> None:
    """Writing inside atomic() would let a rollback take the events, so they stay buffered."""
    with pending_scope():
        with pytest.raises(_Rollback), transaction.atomic():
            _deny(actor)
            assert flush_pending() == 0
            raise _Rollback
        assert pending_count() == 1
    assert AuditEvent.objects.count() == 1


def test_middleware_flushes_denied_events_when_the_view_raises(
    rf: RequestFactory, actor: FakeActor
) -> None:
    """The view's transaction rolls back and the view raises; the refusal is still stored."""

    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            _deny(actor, patient_id=77)
            raise _Rollback

    request = rf.post("/patients/77/", REMOTE_ADDR="192.0.2.10", HTTP_X_REQUEST_ID="deny-1")
    with pytest.raises(_Rollback):
        AuditContextMiddleware(view)(request)
    event = AuditEvent.objects.get()
    assert (event.patient_id, event.outcome) == (77, AuditOutcome.DENIED)
    assert (event.client_address, event.request_id) == ("192.0.2.10", "deny-1")
    assert pending_count() == 0


def test_middleware_flushes_denied_events_after_a_normal_response(
    rf: RequestFactory, actor: FakeActor
) -> None:
    """A view that refuses inside atomic() and answers 404 leaves exactly one event."""

    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            _deny(actor)
        return HttpResponse(status=404)

    response = AuditContextMiddleware(view)(rf.get("/patients/5/"))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_denied_events_in_autocommit_mode_survive_rollback_and_flush_on_commit(
    actor: FakeActor,
) -> None:
    """With real transactions (no test wrapper): rollback keeps the refusal, commit writes it once."""
    with pending_scope():
        with pytest.raises(_Rollback), transaction.atomic():
            _deny(actor, patient_id=1)
            raise _Rollback
        assert AuditEvent.objects.count() == 0
    assert list(AuditEvent.objects.values_list("patient_id", flat=True)) == [1]

    with pending_scope():
        with transaction.atomic():
            _deny(actor, patient_id=2)
        # The commit ran transaction.on_commit(flush_pending) already.
        assert pending_count() == 0
    assert list(AuditEvent.objects.order_by("sequence").values_list("patient_id", flat=True)) == [
        1,
        2,
    ]
    assert verify_chain().ok is True
