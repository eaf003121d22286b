"""Writes for treatment: courses, and each session transition as one service.

Every transition validates the current state (an illegal one raises
``Conflict``, answered 409), writes under a row lock, audits, and records a
``SessionEvent``. Clinical judgement (go / no-go, stop rules, discharge
criteria, dose arithmetic) comes from the protocol and the pure core.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.models import Membership
from keel.accounts.roles import Role
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.selectors import consent_current, consent_standing
from keel.coordination.selectors import clearance_get
from keel.intake.models import DecisionOutcome
from keel.intake.selectors import decision_latest
from keel.monitoring.defaults import CoursePhase
from keel.monitoring.selectors import assignment_list
from keel.monitoring.services import assignment_defaults_apply
from keel.patients.models import Patient
from keel.treatment.models import (
    UNDOSED_END_STATES,
    CancelCause,
    CourseStatus,
    DoseAdministration,
    HandOffKind,
    Route,
    SessionEvent,
    SessionEventKind,
    SessionState,
    TreatmentCourse,
    TreatmentSession,
    VitalContext,
    VitalSigns,
)
from keel.treatment.permissions import OBJECT_TYPE

if TYPE_CHECKING:
    from keel.consent.models import Consent

logger = logging.getLogger(__name__)

# The session state machine (ARCHITECTURE.md). Before the dose starts a session may be
# aborted or cancelled; once it has started it ends only through discharge (every floor
# met) or a physician's hand-off (transfer to emergency care, or left against advice).
_BEFORE_DOSE_ENDS = frozenset({SessionState.ABORTED, SessionState.CANCELLED})
TRANSITIONS: Mapping[SessionState, frozenset[SessionState]] = {
    SessionState.SCHEDULED: frozenset({SessionState.CHECKED_IN, *_BEFORE_DOSE_ENDS}),
    SessionState.CHECKED_IN: frozenset({SessionState.PRE_CHECKS, *_BEFORE_DOSE_ENDS}),
    SessionState.PRE_CHECKS: frozenset({SessionState.DOSING, *_BEFORE_DOSE_ENDS}),
    SessionState.DOSING: frozenset({SessionState.MONITORING, *_BEFORE_DOSE_ENDS}),
    SessionState.MONITORING: frozenset({SessionState.RECOVERY, SessionState.HANDED_OFF}),
    SessionState.RECOVERY: frozenset({SessionState.DISCHARGED, SessionState.HANDED_OFF}),
    SessionState.DISCHARGED: frozenset(),
    SessionState.ABORTED: frozenset(),
    SessionState.HANDED_OFF: frozenset(),
    SessionState.CANCELLED: frozenset(),
}
#: Moves that need the consent the session was booked under still standing (not withdrawn).
CONSENT_NEEDED_TO_ENTER: frozenset[SessionState] = frozenset(
    {
        SessionState.CHECKED_IN,
        SessionState.PRE_CHECKS,
        SessionState.DOSING,
        SessionState.MONITORING,
    }
)
#: A withdrawal of consent cancels the sessions in these states (the dose has not started).
CANCELLABLE_STATES: frozenset[SessionState] = frozenset(
    {
        SessionState.SCHEDULED,
        SessionState.CHECKED_IN,
        SessionState.PRE_CHECKS,
        SessionState.DOSING,
    }
)
ESKETAMINE_DOSES_MG = (28, 56, 84)
MIN_REASON_CHARS = 10
HAND_OFF_TEXT_MAX = 200
DOSED_ENDS_ONLY = (
    "The dose has started: the session ends through discharge once every criterion is met, "
    "or through a physician's hand-off (transfer to emergency care, or the patient leaving "
    "against medical advice)."
)


def _require(actor: Actor, perm: TreatmentPerm) -> None:
    if not actor.has(perm):
        raise PermissionDenied(f"Your role cannot do this ({perm.label.lower()}).")


# ---------------------------------------------------------------- courses


def course_create(
    *,
    actor: Actor,
    patient: Patient,
    route: Route,
    dose_mg_per_kg: Decimal | None = None,
    esketamine_dose_mg: int | None = None,
    induction_sessions: int,
    maintenance_sessions: int = 0,
    schedule_note: str = "",
) -> TreatmentCourse:
    """Plan a course for an eligible patient (physicians)."""
    _require(actor, TreatmentPerm.PLAN_COURSES)
    decision = decision_latest(patient=patient)
    if decision is None or decision.outcome != DecisionOutcome.ELIGIBLE:
        raise Conflict("A course needs an 'eligible' decision first.")
    errors: dict[str, list[str]] = {}
    if route == Route.INTRANASAL_ESKETAMINE:
        if esketamine_dose_mg not in ESKETAMINE_DOSES_MG:
            errors["esketamine_dose_mg"] = [
                "Esketamine is given as 28, 56 or 84 mg (28 mg devices)."
            ]
        if dose_mg_per_kg is not None:
            errors["dose_mg_per_kg"] = ["Esketamine uses a fixed dose, not mg/kg."]
    else:
        if dose_mg_per_kg is None:
            errors["dose_mg_per_kg"] = ["Give the dose in mg/kg."]
        if esketamine_dose_mg is not None:
            errors["esketamine_dose_mg"] = ["Only for intranasal esketamine."]
    if errors:
        raise ValidationFailed(errors)
    course = TreatmentCourse(
        patient=patient,
        decision=decision,
        route=route,
        dose_mg_per_kg=dose_mg_per_kg,
        esketamine_dose_mg=esketamine_dose_mg,
        induction_sessions=induction_sessions,
        maintenance_sessions=maintenance_sessions,
        schedule_note=schedule_note.strip(),
        created_by=actor.user,
        updated_by=actor.user,
    )
    try:
        course.full_clean(
            exclude=["patient", "decision", "created_by", "updated_by", "activated_by"]
        )
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    with transaction.atomic():
        if TreatmentCourse.objects.filter(
            patient=patient, status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
        ).exists():
            raise Conflict("The patient already has an open course.")
        course.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="treatment_course",
            object_id=course.pk,
            patient_id=patient.pk,
        )
    return course


def course_activate(
    *, actor: Actor, course: TreatmentCourse, check_in_defaults: bool = True
) -> TreatmentCourse:
    """Activate a planned course; only for a patient cleared for a first session.

    A patient with no check-ins scheduled gets the induction phase's default schedule
    (``check_in_defaults=False``: the caller schedules them itself, e.g. the demo's story).
    """
    _require(actor, TreatmentPerm.PLAN_COURSES)
    if course.status != CourseStatus.PLANNED:
        raise Conflict(
            f"Only a planned course can be activated; this one is {course.get_status_display().lower()}."
        )
    clearance = clearance_get(patient=course.patient)
    if not clearance.cleared:
        raise Conflict(
            "The patient is not cleared for a first session: missing "
            + "; ".join(clearance.missing)
            + "."
        )
    if clearance.decision is None or clearance.decision.pk != course.decision_id:
        raise Conflict("The course was planned on an older decision; plan it again.")
    with transaction.atomic():
        course.status = CourseStatus.ACTIVE
        course.activated_at = timezone.now()
        course.activated_by = actor.user
        course.updated_by = actor.user
        course.save(
            update_fields=["status", "activated_at", "activated_by", "updated_by", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="treatment_course",
            object_id=course.pk,
            patient_id=course.patient_id,
            detail={"status": "active"},
        )
        # Check-ins start with the treatment: the phase's defaults when none are scheduled.
        if (
            check_in_defaults
            and not assignment_list(patient=course.patient, active_only=True).exists()
        ):
            assignment_defaults_apply(
                actor=actor, patient=course.patient, phase=CoursePhase.INDUCTION
            )
    return course


# ---------------------------------------------------------------- sessions


def session_schedule(
    *, actor: Actor, course: TreatmentCourse, scheduled_for: dt.datetime
) -> TreatmentSession:
    """Book the course's next session; a withdrawn or outdated consent blocks scheduling."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if course.status != CourseStatus.ACTIVE:
        raise Conflict("Sessions are booked on an active course.")
    consent = consent_current(patient=course.patient)
    if consent is None:
        raise Conflict(
            "There is no current signed consent: scheduling is blocked until the patient signs again."
        )
    if timezone.is_naive(scheduled_for):
        raise ValidationFailed({"scheduled_for": ["Give a time with its time zone."]})
    with transaction.atomic():
        TreatmentCourse.objects.select_for_update().get(pk=course.pk)
        sessions = course.sessions.all()
        # A session cancelled or aborted before its dose does not use up a planned session.
        used = sessions.exclude(state__in=UNDOSED_END_STATES, dose_started_at__isnull=True).count()
        if used >= course.induction_sessions + course.maintenance_sessions:
            raise Conflict("Every planned session of this course is already booked.")
        highest = sessions.aggregate(highest=Max("number"))["highest"]
        session = TreatmentSession.objects.create(
            course=course,
            patient=course.patient,
            number=(highest or 0) + 1,
            scheduled_for=scheduled_for,
            consent=consent,
            created_by=actor.user,
            updated_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=session.pk,
            patient_id=course.patient_id,
        )
    return session


def _transition(
    *,
    actor: Actor,
    session: TreatmentSession,
    to: SessionState,
    fields: Mapping[str, object] | None = None,
    note: str = "",
    detail: Mapping[str, object] | None = None,
) -> TreatmentSession:
    """Move ``session`` to ``to`` under a row lock; refuse an illegal move with 409.

    Entering a state in ``CONSENT_NEEDED_TO_ENTER`` also needs the consent
    the session was booked under to stand (409 naming it otherwise).
    ``detail`` (no free text: it goes into the audit trail) is added to the
    event's data and the audit entry.
    """
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        current = SessionState(locked.state)
        if to not in TRANSITIONS[current]:
            if locked.dose_started_at is not None and to in _BEFORE_DOSE_ENDS:
                raise Conflict(DOSED_ENDS_ONLY)
            raise Conflict(
                f"A session that is {current.label.lower()} cannot move to {to.label.lower()}."
            )
        if to in CONSENT_NEEDED_TO_ENTER:
            session_consent_require(session=locked)
        now = timezone.now()
        locked.state = to
        locked.state_changed_at = now
        locked.lock_version += 1
        locked.updated_by = actor.user
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        locked.save()
        SessionEvent.objects.create(
            session=locked,
            kind=SessionEventKind.TRANSITION,
            text=note or f"{current.label} → {to.label}",
            data={"from": current.value, "to": to.value, **(detail or {})},
            recorded_by=actor.user,
            recorded_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail={"from": current.value, "to": to.value, **(detail or {})},
        )
    return locked


def _consent_name(consent: Consent) -> str:
    signed = timezone.localdate(consent.signed_at)
    return f"the consent signed on {signed:%Y-%m-%d} (form version {consent.template.version})"


def session_consent_require(*, session: TreatmentSession) -> None:
    """Refuse (409) a step of a session whose consent was withdrawn.

    The consent checked is the one the session was booked under, not the
    clinic's current form version: a version approved after booking does not
    stop a patient already booked. A session booked before Keel stored that
    consent needs any signature of the patient that was not withdrawn.
    """
    consent = session.consent
    if consent is None:
        if consent_standing(patient=session.patient).exists():
            return
        raise Conflict(
            "The patient withdrew consent: this session cannot go on. "
            "It goes ahead only after the patient signs a consent again and is booked again."
        )
    if consent.withdrawn_at is not None:
        withdrawn = timezone.localdate(consent.withdrawn_at)
        raise Conflict(
            f"The patient withdrew {_consent_name(consent)} on {withdrawn:%Y-%m-%d}: this "
            "session cannot go on. It goes ahead only after the patient signs a consent again "
            "and is booked again."
        )


def session_check_in(
    *, actor: Actor, session: TreatmentSession, escort_name: str, escort_phone: str
) -> TreatmentSession:
    """The patient arrived; record who takes them home."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    errors: dict[str, list[str]] = {}
    if not escort_name.strip():
        errors["escort_name"] = ["An adult must take the patient home: record their name."]
    if len(escort_phone.strip()) < 6:
        errors["escort_phone"] = ["Record the escort's phone number."]
    if errors:
        raise ValidationFailed(errors)
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.CHECKED_IN,
        fields={"escort_name": escort_name.strip(), "escort_phone": escort_phone.strip()},
    )


def session_start_prechecks(*, actor: Actor, session: TreatmentSession) -> TreatmentSession:
    """Begin the pre-session checklist."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    return _transition(actor=actor, session=session, to=SessionState.PRE_CHECKS)


def session_abort(*, actor: Actor, session: TreatmentSession, reason: str) -> TreatmentSession:
    """End a session before its dose has started, with the reason.

    Once the dose has started this is refused (409): a dosed session ends
    through discharge or ``session_hand_off``.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.dose_started_at is not None:
        raise Conflict(DOSED_ENDS_ONLY)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write why the session ends here."]})
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.ABORTED,
        fields={"abort_reason": reason.strip()},
        note=reason.strip(),
    )


def _hand_off_errors(
    *,
    kind: str,
    reason: str,
    destination: str,
    informed: str,
    escort_present: bool | None,
    instructions: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in HandOffKind.values:
        errors["kind"] = [
            "Choose how the session ends: transfer to emergency care, "
            "or left against medical advice."
        ]
    if len(reason) < MIN_REASON_CHARS:
        errors["reason"] = ["Write why the session ends with this hand-off."]
    for field, value in (("destination", destination), ("informed", informed)):
        if len(value) > HAND_OFF_TEXT_MAX:
            errors[field] = [f"Keep it under {HAND_OFF_TEXT_MAX} characters."]
    if kind == HandOffKind.EMERGENCY_TRANSFER and not destination:
        errors["destination"] = ["Write where the patient is transferred to."]
    if kind == HandOffKind.AGAINST_MEDICAL_ADVICE:
        if not informed:
            errors["informed"] = ["Write who was told that the patient left against advice."]
        if escort_present is None:
            errors["escort_present"] = ["Record whether an escort was with the patient."]
        if not instructions:
            errors["instructions"] = ["Write the instructions the patient was given."]
    return errors


def session_hand_off(
    *,
    actor: Actor,
    session: TreatmentSession,
    kind: str,
    reason: str,
    destination: str = "",
    informed: str = "",
    escort_present: bool | None = None,
    instructions: str = "",
) -> TreatmentSession:
    """A physician ends a dosed session other than by discharge (state "handed off").

    ``kind`` is a ``HandOffKind``: a transfer to emergency care needs the
    ``destination``; leaving against medical advice needs who was
    ``informed``, whether an escort was present and the ``instructions``
    given. If the infusion is still running, its stop time is recorded now.
    """
    _require(actor, TreatmentPerm.PHYSICIAN_DECISIONS)
    reason = reason.strip()
    destination = destination.strip()
    informed = informed.strip()
    instructions = instructions.strip()
    errors = _hand_off_errors(
        kind=kind,
        reason=reason,
        destination=destination,
        informed=informed,
        escort_present=escort_present,
        instructions=instructions,
    )
    if errors:
        raise ValidationFailed(errors)
    hand_off = HandOffKind(kind)
    emergency = hand_off == HandOffKind.EMERGENCY_TRANSFER
    now = timezone.now()
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if locked.dose_started_at is None:
            raise Conflict(
                "The dose has not started: end this session with 'abort' and the reason."
            )
        fields: dict[str, object] = {
            "hand_off_kind": hand_off,
            "hand_off_reason": reason,
            "hand_off_destination": destination if emergency else "",
            "hand_off_informed": "" if emergency else informed,
            "hand_off_escort_present": None if emergency else escort_present,
            "hand_off_instructions": instructions,
            "handed_off_at": now,
            "handed_off_by": actor.user,
        }
        infusion_stopped = locked.infusion_ended_at is None
        if infusion_stopped:
            fields["infusion_ended_at"] = now
        where = f" to {destination}" if emergency else ""
        handed = _transition(
            actor=actor,
            session=locked,
            to=SessionState.HANDED_OFF,
            fields=fields,
            note=f"{hand_off.label}{where}: {reason}",
            detail={"hand_off": hand_off.value, "infusion_stopped": infusion_stopped},
        )
        if infusion_stopped:
            DoseAdministration.objects.filter(session=handed, stopped_at__isnull=True).update(
                stopped_at=now
            )
    return handed


def session_cancel(*, actor: Actor, session: TreatmentSession, reason: str) -> TreatmentSession:
    """Cancel a booked session before the patient arrives, with the reason.

    The cancelled session does not use up a planned session of the course.
    Once the patient has checked in, a session ends with ``session_abort``.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    reason = reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write why the booking is cancelled."]})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": ["Keep the reason under 2000 characters."]})
    if session.state != SessionState.SCHEDULED:
        raise Conflict(
            "Only a booked session the patient has not checked in for can be cancelled; "
            "after check-in, abort it with the reason."
        )
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.CANCELLED,
        fields={"cancel_cause": CancelCause.BOOKING_CANCELLED, "cancel_reason": reason},
        note=f"Booking cancelled: {reason}",
        detail={"cause": CancelCause.BOOKING_CANCELLED.value},
    )


def sessions_cancel_for_consent_withdrawal(
    *, actor: Actor, patient: Patient, reason: str
) -> list[TreatmentSession]:
    """Cancel the patient's sessions whose dose has not started; the consent was withdrawn.

    Called by ``consent_withdraw`` inside its transaction (its gate is the
    authority: whoever may record the withdrawal cancels what it stops).
    Each session gets the cause ("consent withdrawn") and the withdrawal's
    reason, an event and an audit entry. After the commit the clinic's
    physicians and nurses and the psychiatrist of record are emailed, without
    patient data.
    """
    cancel_reason = reason.strip()[:2000]
    with transaction.atomic():
        booked = list(
            TreatmentSession.objects.select_for_update()
            .filter(patient=patient, state__in=CANCELLABLE_STATES, dose_started_at__isnull=True)
            .order_by("scheduled_for", "pk")
        )
        cancelled = [
            _transition(
                actor=actor,
                session=session,
                to=SessionState.CANCELLED,
                fields={
                    "cancel_cause": CancelCause.CONSENT_WITHDRAWN,
                    "cancel_reason": cancel_reason,
                },
                note=f"Cancelled: consent withdrawn ({cancel_reason})",
                detail={"cause": CancelCause.CONSENT_WITHDRAWN.value},
            )
            for session in booked
        ]
        if cancelled:
            _care_team_tell_cancelled(patient=patient, count=len(cancelled))
    return cancelled


def _care_team_tell_cancelled(*, patient: Patient, count: int) -> None:
    """Email the care team once the cancellation commits (no patient data in the email)."""
    clinic = patient.clinic
    staff = Membership.objects.filter(
        clinic=clinic, is_active=True, role__in=[Role.PHYSICIAN, Role.NURSE]
    ).select_related("user")
    recipients = sorted({m.user.email for m in staff if m.user.email})
    base = str(getattr(settings, "KEEL_BASE_URL", "")).rstrip("/")
    link = base + reverse("treatment:course", args=[patient.pk])
    mails = [(email, link) for email in recipients]
    psychiatrist = patient.psychiatrist_of_record
    if psychiatrist is not None:
        email = psychiatrist.email or (
            psychiatrist.user.email if psychiatrist.user is not None else ""
        )
        if email and email not in recipients:
            mails.append((email, ""))

    def send() -> None:
        for recipient, page in mails:
            try:
                send_mail(
                    subject=f"{clinic.name}: booked treatment sessions cancelled",
                    message=render_to_string(
                        "treatment/email/consent_withdrawn.txt",
                        {"clinic_name": clinic.name, "count": count, "link": page},
                    ),
                    from_email=None,
                    recipient_list=[recipient],
                )
            except Exception:  # one failed email must not stop the others
                logger.exception("Cancellation email could not be sent")

    if mails:
        transaction.on_commit(send)


def vitals_record(
    *,
    actor: Actor,
    session: TreatmentSession,
    context: VitalContext,
    systolic_bp: int,
    diastolic_bp: int,
    heart_rate: int,
    spo2: int,
    respiratory_rate: int | None = None,
    taken_at: dt.datetime | None = None,
    idempotency_key: str = "",
) -> VitalSigns:
    """Record one set of vitals; the same idempotency key never records twice."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.state == SessionState.SCHEDULED or session.is_over:
        raise Conflict(
            f"Vitals are recorded from check-in to discharge; this session is {session.get_state_display().lower()}."
        )
    if idempotency_key:
        existing = VitalSigns.objects.filter(
            session=session, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    vitals = VitalSigns(
        session=session,
        context=context,
        taken_at=taken_at or timezone.now(),
        systolic_bp=systolic_bp,
        diastolic_bp=diastolic_bp,
        heart_rate=heart_rate,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
        recorded_by=actor.user,
        idempotency_key=idempotency_key,
    )
    try:
        vitals.full_clean(exclude=["session", "recorded_by"])
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    try:
        with transaction.atomic():
            vitals.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="vital_signs",
                object_id=vitals.pk,
                patient_id=session.patient_id,
            )
    except IntegrityError:
        # A concurrent request stored the same idempotency key first: answer with its row.
        existing = VitalSigns.objects.filter(
            session=session, idempotency_key=idempotency_key
        ).first()
        if not idempotency_key or existing is None:
            raise
        return existing
    return vitals
