"""Writes for treatment: courses, and each session transition as one service.

Every transition validates the current state (an illegal one raises
``Conflict``, answered 409), writes under a row lock, audits, and records a
``SessionEvent``. Clinical judgement (go / no-go, stop rules, discharge
criteria, dose arithmetic) comes from the protocol and the pure core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.selectors import consent_current
from keel.coordination.selectors import clearance_get
from keel.intake.models import DecisionOutcome
from keel.intake.selectors import decision_latest
from keel.patients.models import Patient
from keel.treatment.models import (
    CourseStatus,
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

# The session state machine (ARCHITECTURE.md): every state before discharged may abort.
TRANSITIONS: Mapping[SessionState, frozenset[SessionState]] = {
    SessionState.SCHEDULED: frozenset({SessionState.CHECKED_IN, SessionState.ABORTED}),
    SessionState.CHECKED_IN: frozenset({SessionState.PRE_CHECKS, SessionState.ABORTED}),
    SessionState.PRE_CHECKS: frozenset({SessionState.DOSING, SessionState.ABORTED}),
    SessionState.DOSING: frozenset({SessionState.MONITORING, SessionState.ABORTED}),
    SessionState.MONITORING: frozenset({SessionState.RECOVERY, SessionState.ABORTED}),
    SessionState.RECOVERY: frozenset({SessionState.DISCHARGED, SessionState.ABORTED}),
    SessionState.DISCHARGED: frozenset(),
    SessionState.ABORTED: frozenset(),
}
ESKETAMINE_DOSES_MG = (28, 56, 84)
MIN_REASON_CHARS = 10


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


def course_activate(*, actor: Actor, course: TreatmentCourse) -> TreatmentCourse:
    """Activate a planned course; only for a patient cleared for a first session."""
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
    return course


# ---------------------------------------------------------------- sessions


def session_schedule(
    *, actor: Actor, course: TreatmentCourse, scheduled_for: dt.datetime
) -> TreatmentSession:
    """Book the course's next session; a withdrawn or outdated consent blocks scheduling."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if course.status != CourseStatus.ACTIVE:
        raise Conflict("Sessions are booked on an active course.")
    if consent_current(patient=course.patient) is None:
        raise Conflict(
            "There is no current signed consent: scheduling is blocked until the patient signs again."
        )
    if timezone.is_naive(scheduled_for):
        raise ValidationFailed({"scheduled_for": ["Give a time with its time zone."]})
    with transaction.atomic():
        TreatmentCourse.objects.select_for_update().get(pk=course.pk)
        number = course.sessions.count() + 1
        if number > course.induction_sessions + course.maintenance_sessions:
            raise Conflict("Every planned session of this course is already booked.")
        session = TreatmentSession.objects.create(
            course=course,
            patient=course.patient,
            number=number,
            scheduled_for=scheduled_for,
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
) -> TreatmentSession:
    """Move ``session`` to ``to`` under a row lock; refuse an illegal move with 409."""
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        current = SessionState(locked.state)
        if to not in TRANSITIONS[current]:
            raise Conflict(
                f"A session that is {current.label.lower()} cannot move to {to.label.lower()}."
            )
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
            data={"from": current.value, "to": to.value},
            recorded_by=actor.user,
            recorded_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail={"from": current.value, "to": to.value},
        )
    return locked


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
    """End a session before discharge, with the reason."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write why the session ends here."]})
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.ABORTED,
        fields={"abort_reason": reason.strip()},
        note=reason.strip(),
    )


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
    if session.state in {SessionState.SCHEDULED, SessionState.DISCHARGED, SessionState.ABORTED}:
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
