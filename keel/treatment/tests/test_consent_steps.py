"""Consent at every step: booking needs the current version; each later step needs it standing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from conftest import World
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.models import Consent
from keel.consent.services import consent_sign, consent_withdraw
from keel.consent.tests.helpers import new_version
from keel.treatment.models import (
    CancelCause,
    SessionEvent,
    SessionState,
    TreatmentCourse,
    TreatmentSession,
)
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_verify,
    precheck_record,
    session_abort,
    session_cancel,
    session_check_in,
    session_schedule,
    session_start_prechecks,
)
from keel.treatment.tests.helpers import active_course, scheduled_session
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks
from keel.treatment.tests.test_session_ends import dosed_session

pytestmark = pytest.mark.django_db

ESCORT = {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"}


def _withdrawn_behind_the_sessions_back(session: TreatmentSession) -> None:
    """Mark the session's consent withdrawn without the cancellation (a race, old data)."""
    Consent.objects.filter(pk=session.consent_id).update(
        withdrawn_at=timezone.now(), withdrawal_reason="Changed my mind."
    )
    session.refresh_from_db()


def _book(world: World, course: TreatmentCourse, hours: int = 1) -> TreatmentSession:
    return session_schedule(
        actor=world.actor("nurse_x"),
        course=course,
        scheduled_for=timezone.now() + dt.timedelta(hours=hours),
    )


def _prepared_dose(world: World, session: TreatmentSession):  # type: ignore[no-untyped-def]
    nurse = world.actor("nurse_x")
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    return dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )


# ---------------------------------------------------------------- each step needs it standing


def test_booking_stores_the_consent_it_was_booked_under(world: World) -> None:
    session = scheduled_session(world)
    consent = Consent.objects.get(patient=world.patient_a)
    assert session.consent_id == consent.pk


def test_check_in_with_a_withdrawn_consent_is_a_conflict_naming_it(world: World) -> None:
    session = scheduled_session(world)
    _withdrawn_behind_the_sessions_back(session)
    with pytest.raises(Conflict, match=r"withdrew the consent signed on .* \(form version 1\)"):
        session_check_in(actor=world.actor("nurse_x"), session=session, **ESCORT)
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED


def test_starting_pre_checks_with_a_withdrawn_consent_is_a_conflict(world: World) -> None:
    session = session_check_in(
        actor=world.actor("nurse_x"), session=scheduled_session(world), **ESCORT
    )
    _withdrawn_behind_the_sessions_back(session)
    with pytest.raises(Conflict, match="withdrew the consent"):
        session_start_prechecks(actor=world.actor("nurse_x"), session=session)


def test_recording_the_checklist_with_a_withdrawn_consent_is_a_conflict(world: World) -> None:
    session = _ready_for_checks(world)
    _withdrawn_behind_the_sessions_back(session)
    with pytest.raises(Conflict, match="withdrew the consent"):
        precheck_record(actor=world.actor("nurse_x"), session=session, answers=CHECKLIST)
    assert not session.prechecks.exists()


def test_preparing_the_dose_with_a_withdrawn_consent_is_a_conflict(world: World) -> None:
    session = _ready_for_checks(world)
    precheck_record(actor=world.actor("nurse_x"), session=session, answers=CHECKLIST)
    _withdrawn_behind_the_sessions_back(session)
    with pytest.raises(Conflict, match="withdrew the consent"):
        dose_prepare(
            actor=world.actor("nurse_x"),
            session=session,
            weight_kg=Decimal("72.4"),
            concentration_mg_per_ml=Decimal("10"),
            lot="LOT-42",
        )
    session.refresh_from_db()
    assert session.state == SessionState.PRE_CHECKS


def test_starting_the_dose_with_a_withdrawn_consent_is_a_conflict(world: World) -> None:
    session = _ready_for_checks(world)
    dose = _prepared_dose(world, session)
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    _withdrawn_behind_the_sessions_back(session)
    dose.refresh_from_db()
    with pytest.raises(Conflict, match="withdrew the consent"):
        dose_start(actor=world.actor("nurse_x"), dose=dose)
    dose.refresh_from_db()
    assert dose.started_at is None


def test_a_session_booked_without_a_stored_consent_needs_a_standing_signature(
    world: World,
) -> None:
    """Sessions booked before Keel stored the consent fall back to any standing signature."""
    session = scheduled_session(world)
    TreatmentSession.objects.filter(pk=session.pk).update(consent=None)
    session.refresh_from_db()
    Consent.objects.filter(patient=world.patient_a).update(
        withdrawn_at=timezone.now(), withdrawal_reason="Changed my mind."
    )
    with pytest.raises(Conflict, match="withdrew consent"):
        session_check_in(actor=world.actor("nurse_x"), session=session, **ESCORT)


def test_a_new_form_version_approved_mid_session_does_not_stop_the_patient(
    world: World,
) -> None:
    """Booked under version 1; version 2 approved while in pre-checks: the session goes on."""
    session = _ready_for_checks(world)
    new_version(world)  # version 2 approved: version 1 is retired, re-consent needed to book
    nurse = world.actor("nurse_x")
    with pytest.raises(Conflict, match="consent"):
        session_schedule(
            actor=nurse, course=session.course, scheduled_for=timezone.now() + dt.timedelta(days=2)
        )
    dose = _prepared_dose(world, session)
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    session = dose_start(actor=nurse, dose=dose)
    assert session.state == SessionState.MONITORING


# ---------------------------------------------------------------- withdrawal cancels bookings


def test_withdrawal_cancels_the_booked_sessions_with_the_reason(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    course = active_course(world)
    first = _book(world, course, hours=1)
    second = _book(world, course, hours=49)
    session_check_in(actor=world.actor("nurse_x"), session=first, **ESCORT)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        consent_withdraw(
            actor=world.actor("nurse_x"),
            patient=world.patient_a,
            reason="Moving abroad next month.",
        )
    for session in (first, second):
        session.refresh_from_db()
        assert session.state == SessionState.CANCELLED
        assert session.cancel_cause == CancelCause.CONSENT_WITHDRAWN
        assert session.cancel_reason == "Moving abroad next month."
        event = SessionEvent.objects.filter(session=session).latest("pk")
        assert event.data["to"] == "cancelled" and event.data["cause"] == "consent_withdrawn"
        assert "consent withdrawn" in event.text and "Moving abroad" in event.text
        audit = AuditEvent.objects.get(
            object_type="treatment_session", object_id=str(session.pk), detail__to="cancelled"
        )
        assert audit.detail["cause"] == "consent_withdrawn"
        assert "Moving" not in str(audit.detail)
    with pytest.raises(Conflict, match="cannot move"):
        session_start_prechecks(actor=world.actor("nurse_x"), session=first)
    # The care team is told, without the patient's name or MRN.
    assert mail.outbox, "the care team was not told"
    recipients = {r for m in mail.outbox for r in m.to}
    assert world.users["physician_x"].email in recipients
    for message in mail.outbox:
        text = message.subject + message.body
        assert "cancelled" in text
        assert world.patient_a.family_name not in text and world.patient_a.mrn not in text


def test_withdrawal_leaves_a_dosed_session_to_end_by_discharge_or_hand_off(
    world: World,
) -> None:
    session = dosed_session(world)
    consent_withdraw(
        actor=world.actor("nurse_x"), patient=world.patient_a, reason="Does not want more."
    )
    session.refresh_from_db()
    assert session.state == SessionState.MONITORING


def test_a_cancelled_or_undosed_aborted_session_frees_its_slot(world: World) -> None:
    """Every planned session booked; withdrawal cancels them; after re-signing, book again."""
    course = active_course(world)
    TreatmentCourse.objects.filter(pk=course.pk).update(induction_sessions=2)
    course.refresh_from_db()
    first, second = _book(world, course), _book(world, course, hours=3)
    with pytest.raises(Conflict, match="already booked"):
        _book(world, course, hours=5)
    session_abort(actor=world.actor("nurse_x"), session=first, reason="Patient has a fever.")
    third = _book(world, course, hours=5)  # the aborted, undosed session freed its slot
    assert third.number == 3
    consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="Pause.")
    with pytest.raises(Conflict, match="consent"):
        _book(world, course, hours=7)
    template = Consent.objects.filter(patient=world.patient_a).latest("pk").template
    consent_sign(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        template_id=template.pk,
        signed_name=world.patient_a.full_name,
        confirmed=True,
        staff_attested=True,
    )
    fourth = _book(world, course, hours=7)
    fifth = _book(world, course, hours=9)
    assert (fourth.number, fifth.number) == (4, 5)  # numbers stay unique
    assert fourth.consent is not None and fourth.consent.withdrawn_at is None
    second.refresh_from_db()
    assert second.state == SessionState.CANCELLED
    with pytest.raises(Conflict, match="already booked"):
        _book(world, course, hours=11)


# ---------------------------------------------------------------- staff cancel a booking


def test_staff_cancel_a_booking_with_a_reason(world: World) -> None:
    session = scheduled_session(world)
    nurse = world.actor("nurse_x")
    with pytest.raises(ValidationFailed) as info:
        session_cancel(actor=nurse, session=session, reason="  ")
    assert "reason" in info.value.errors
    session = session_cancel(actor=nurse, session=session, reason="Patient asked to move it.")
    assert session.state == SessionState.CANCELLED
    assert session.cancel_cause == CancelCause.BOOKING_CANCELLED


def test_a_checked_in_session_is_aborted_not_cancelled(world: World) -> None:
    session = session_check_in(
        actor=world.actor("nurse_x"), session=scheduled_session(world), **ESCORT
    )
    with pytest.raises(Conflict, match="abort"):
        session_cancel(
            actor=world.actor("nurse_x"), session=session, reason="Patient asked to move it."
        )


def test_front_desk_cannot_cancel_a_session(world: World) -> None:
    session = scheduled_session(world)
    with pytest.raises(PermissionDenied):
        session_cancel(
            actor=world.actor("front_desk_x"), session=session, reason="Patient asked to move it."
        )
