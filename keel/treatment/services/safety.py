"""Writes for the end of a session: the exit check and its physician decision, adverse events.

The exit check (REFERENCE.md section 6, "Safety" and "Mobility") is
recorded by the nurse in recovery; discharge reads the newest one
(:func:`exit_check_gate`). A positive finding holds discharge until a
physician records a decision with its reason. A mood elevation or
perceptual change still present, and new suicidal ideation, raise alerts at
once (``keel.alerts.exit_check``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.selectors import Actor
from keel.alerts.exit_check import exit_check_alerts_raise
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, ValidationFailed
from keel.treatment.clinical import exit_check_findings
from keel.treatment.models import (
    AdverseEvent,
    AdverseEventCategory,
    ExitCheck,
    ExitDecision,
    SessionEvent,
    SessionEventKind,
    SessionState,
    TreatmentSession,
)
from keel.treatment.selectors import exit_check_latest
from keel.treatment.services.sessions import MIN_REASON_CHARS, _require

EXIT_CHECK_OBJECT_TYPE = "exit_check"
ADVERSE_EVENT_OBJECT_TYPE = "adverse_event"
TEXT_MAX = 2000
#: Adverse events are recorded while the dosed patient is still in the session.
ADVERSE_EVENT_STATES = frozenset({SessionState.MONITORING, SessionState.RECOVERY})
#: How far ahead of the server clock an event time may be (clocks on devices drift).
CLOCK_SKEW = dt.timedelta(minutes=5)


def _text(field: str, value: str, *, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [required]})
    if len(text) > TEXT_MAX:
        raise ValidationFailed({field: [f"Keep it under {TEXT_MAX} characters."]})
    return text


# ---------------------------------------------------------------- exit check


def exit_check_record(
    *,
    actor: Actor,
    session: TreatmentSession,
    new_suicidal_ideation: bool,
    mood_elevation: bool,
    perceptual_change: bool,
    walks_steadily: bool,
    nausea_or_dizziness: bool,
    note: str = "",
) -> ExitCheck:
    """Record the exit check before discharge; raise its alerts in the same transaction.

    Mood elevation or perceptual change still present raises an amber
    mood-elevation alert; new suicidal ideation an urgent suicidality alert.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.state != SessionState.RECOVERY:
        raise Conflict("The exit check is recorded in recovery, before discharge.")
    check = ExitCheck(
        session=session,
        new_suicidal_ideation=new_suicidal_ideation,
        mood_elevation=mood_elevation,
        perceptual_change=perceptual_change,
        walks_steadily=walks_steadily,
        nausea_or_dizziness=nausea_or_dizziness,
        note=_text("note", note),
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    findings = exit_check_findings(check)
    with transaction.atomic():
        check.save()
        SessionEvent.objects.create(
            session=session,
            kind=SessionEventKind.NOTE,
            text=(
                "Exit check: " + "; ".join(findings) + ". A physician decides before discharge."
                if findings
                else "Exit check: no finding."
            ),
            data={"exit_check": check.pk, "findings": findings},
            recorded_by=actor.user,
            recorded_at=check.recorded_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=EXIT_CHECK_OBJECT_TYPE,
            object_id=check.pk,
            patient_id=session.patient_id,
            detail={"findings": findings},
        )
        exit_check_alerts_raise(
            actor=actor,
            patient=session.patient,
            check_id=check.pk,
            session_number=session.number,
            elevation=mood_elevation,
            perceptual_change=perceptual_change,
            new_suicidal_ideation=new_suicidal_ideation,
            now=check.recorded_at,
        )
    return check


def exit_check_physician_decide(
    *, actor: Actor, check: ExitCheck, decision: ExitDecision | str, reason: str
) -> ExitCheck:
    """A physician decides on a positive exit check: the patient may go home, or stays.

    Only the session's newest check, only once, only while the patient is
    in recovery; the reason is written (at least a sentence).
    """
    _require(actor, TreatmentPerm.PHYSICIAN_DECISIONS)
    if decision not in ExitDecision.values:
        raise ValidationFailed({"decision": ["Choose: may go home, or stays."]})
    reason = _text("reason", reason)
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write the reason for the decision."]})
    with transaction.atomic():
        locked = ExitCheck.objects.select_for_update().select_related("session").get(pk=check.pk)
        session = locked.session
        if session.state != SessionState.RECOVERY:
            raise Conflict("The exit check is decided in recovery, before discharge.")
        latest = exit_check_latest(session=session)
        if latest is None or latest.pk != locked.pk:
            raise Conflict("A newer exit check was recorded: decide on that one.")
        findings = exit_check_findings(locked)
        if not findings:
            raise Conflict("This exit check found nothing that needs a physician's decision.")
        if locked.physician_decision:
            raise Conflict(
                "A physician already decided on this exit check; record a new exit check first."
            )
        locked.physician_decision = ExitDecision(decision)
        locked.physician_reason = reason
        locked.physician = actor.user
        locked.physician_decided_at = timezone.now()
        locked.save(
            update_fields=[
                "physician_decision",
                "physician_reason",
                "physician",
                "physician_decided_at",
            ]
        )
        SessionEvent.objects.create(
            session=session,
            kind=SessionEventKind.NOTE,
            text=f"Physician on the exit check: {locked.get_physician_decision_display()}: {reason}",
            data={"exit_check": locked.pk, "decision": locked.physician_decision},
            recorded_by=actor.user,
            recorded_at=locked.physician_decided_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=EXIT_CHECK_OBJECT_TYPE,
            object_id=locked.pk,
            patient_id=session.patient_id,
            detail={"decision": locked.physician_decision, "findings": findings},
        )
    return locked


def exit_check_gate(*, session: TreatmentSession) -> ExitCheck:
    """The exit check discharge may go ahead on; 409 naming what holds it otherwise."""
    check = exit_check_latest(session=session)
    if check is None:
        raise Conflict("Record the exit check (safety and mobility) before discharge.")
    findings = exit_check_findings(check)
    if not findings or check.physician_decision == ExitDecision.MAY_LEAVE:
        return check
    if check.physician_decision == ExitDecision.STAYS:
        raise Conflict(
            "A physician decided the patient stays (" + check.physician_reason + "). "
            "Record a new exit check when that changes."
        )
    raise Conflict(
        "The exit check found " + "; ".join(findings) + ": discharge waits for a physician's "
        "decision."
    )


# ---------------------------------------------------------------- adverse events


def adverse_event_record(
    *,
    actor: Actor,
    session: TreatmentSession,
    category: AdverseEventCategory | str,
    description: str,
    action_taken: str,
    occurred_at: dt.datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event of the session (from the dose until the session ends)."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.state not in ADVERSE_EVENT_STATES:
        raise Conflict(
            "Adverse events are recorded from the start of the dose until the session ends."
        )
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if category not in AdverseEventCategory.values:
        errors["category"] = ["Choose what happened from the list."]
    when = occurred_at or now
    if timezone.is_naive(when):
        errors["occurred_at"] = ["Give a time with its time zone."]
    elif session.dose_started_at is not None and when < session.dose_started_at:
        errors["occurred_at"] = ["The time is before the dose started."]
    elif when > now + CLOCK_SKEW:
        errors["occurred_at"] = ["The time is in the future."]
    if errors:
        raise ValidationFailed(errors)
    event = AdverseEvent(
        session=session,
        category=AdverseEventCategory(category),
        occurred_at=when,
        description=_text("description", description, required="Describe what happened."),
        action_taken=_text(
            "action_taken", action_taken, required="Write what was done (or that nothing was)."
        ),
        recorded_by=actor.user,
        recorded_at=now,
    )
    try:
        event.full_clean(exclude=["session", "recorded_by"])
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    with transaction.atomic():
        event.save()
        SessionEvent.objects.create(
            session=session,
            kind=SessionEventKind.ADVERSE_EVENT,
            text=f"{event.get_category_display()}: {event.description} (done: {event.action_taken})",
            data={"adverse_event": event.pk, "category": event.category},
            recorded_by=actor.user,
            recorded_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=ADVERSE_EVENT_OBJECT_TYPE,
            object_id=event.pk,
            patient_id=session.patient_id,
            detail={"category": event.category},
        )
    return event
