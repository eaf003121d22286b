"""Writes for alerts: raise from protocol findings, lifecycle steps, escalation, the clock.

Every write validates, writes under a row lock, records an ``AlertEvent`` and
an audit event in the same transaction. Emails go out after the commit and
never name the patient (minimum necessary): "a patient of <clinic>" and a
link to the alert, which only someone allowed to see it can open.

Lifecycle (docs/alerts.md): open -> acknowledged -> resolved. Holds on the
next session: an amber hold lifts when a physician clears it (or resolves
the alert); a red hold lifts when same-day contact and a psychiatrist's
review are both recorded; a red alert cannot be resolved before that.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from keel.accounts.catalogue import AlertPerm, Perm, permissions_for
from keel.accounts.models import Clinic, Membership, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor, membership_is_psychiatrist
from keel.alerts.history import patient_history
from keel.alerts.models import (
    Alert,
    AlertCategory,
    AlertEvent,
    AlertEventKind,
    AlertPriority,
    AlertStatus,
    ContactMethod,
    CssrsLevel,
    OnCallEntry,
    RiskBasis,
    SessionHold,
)
from keel.alerts.selectors import (
    alert_unresolved,
    clinic_fallback_recipients,
    clinic_today,
    evidence_keys_seen,
    is_urgent_suicidality,
    on_call_active,
    on_call_entries,
)
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.clinical.alerts import AlertFinding, DosePoint, Trigger, evaluate_alerts
from keel.clinical.instruments.cssrs import SCREEN_ID, SINCE_LAST_VISIT_ID
from keel.clinical.protocol import Protocol, resolve_params
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.intake.protocols import protocol_for_clinic
from keel.monitoring.models import Assessment, Assignment
from keel.patients.models import PHONE_VALIDATOR, Patient
from keel.treatment.models import CourseStatus

logger = logging.getLogger(__name__)

OBJECT_TYPE = "alert"
ON_CALL_OBJECT_TYPE = "on_call_entry"
TRIGGER_KINDS = frozenset({"rating", "diary", "clock", "exit_check"})
#: The record each trigger kind names ("exit_check": a session's exit check, exit_check.py).
TRIGGER_SOURCES = {"rating": "assessment", "diary": "diary", "exit_check": "exit_check"}
ACK_MINUTES_PARAM = "urgent_alert_ack_minutes"
NOTE_MAX = 4000
#: Escalation reason when a contact attempt did not reach the patient.
NOT_REACHED = "patient_not_reached"
#: The C-SSRS forms a resolving assessment may link (keel.clinical.instruments.cssrs).
CSSRS_IDS = (SCREEN_ID, SINCE_LAST_VISIT_ID)
#: A clinician's risk judgement is one of these (REFERENCE.md section 7 levels).
JUDGEMENT_LEVELS = ("low", "moderate", "high")


@dataclass(frozen=True)
class _Mail:
    subject: str
    template: str
    recipient: str
    context: Mapping[str, object]


# ---------------------------------------------------------------- helpers


def _require(actor: Actor, perm: Perm) -> None:
    if not actor.has(perm):
        raise PermissionDenied(f"Your role cannot do this ({perm.label.lower()}).")


def _text(field: str, value: str, *, required: bool, what: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [what]})
    if len(text) > NOTE_MAX:
        raise ValidationFailed({field: [f"Keep it under {NOTE_MAX} characters."]})
    return text


def _locked(alert: Alert) -> Alert:
    """The alert re-read under a row lock (the state checks run on this copy)."""
    return Alert.objects.select_for_update().select_related("patient", "clinic").get(pk=alert.pk)


def _event(
    alert: Alert,
    kind: AlertEventKind,
    at: dt.datetime,
    *,
    by: User | None = None,
    to_user: User | None = None,
    note: str = "",
    detail: Mapping[str, object] | None = None,
) -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        at=at,
        by=by,
        to_user=to_user,
        note=note,
        detail=dict(detail or {}),
    )


def _audit(actor: Actor | None, alert: Alert, action: AuditAction, **detail: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        patient_id=alert.patient_id,
        clinic_id=alert.clinic_id,
        detail=detail,
    )


def alert_link(alert: Alert) -> str:
    """The alert page's address: ``KEEL_BASE_URL`` (if set) plus the path."""
    base = str(getattr(settings, "KEEL_BASE_URL", "")).rstrip("/")
    return base + reverse("alerts:detail", args=[alert.pk])


def _send_after_commit(mails: list[_Mail]) -> None:
    """Send the emails once the transaction commits (never names the patient)."""

    def send() -> None:
        for mail in mails:
            try:
                send_mail(
                    subject=mail.subject,
                    message=render_to_string(mail.template, dict(mail.context)),
                    from_email=None,
                    recipient_list=[mail.recipient],
                )
            except Exception:  # one failed email must not stop the others
                logger.exception("Alert email could not be sent (template %s)", mail.template)

    if mails:
        transaction.on_commit(send)


#: How an email names each alert category ("a non-response alert"): the alert's own kind.
EMAIL_CATEGORY: dict[str, str] = {
    AlertCategory.SUICIDALITY: "suicidality",
    AlertCategory.MOOD_ELEVATION: "mood-elevation",
    AlertCategory.WORSENING_DEPRESSION: "worsening-depression",
    AlertCategory.MISSED_CHECK_IN: "missed check-in",
    AlertCategory.NON_RESPONSE: "non-response",
}


def _mail_context(alert: Alert, **extra: object) -> dict[str, object]:
    return {
        "clinic_name": alert.clinic.name,
        "priority": alert.get_priority_display(),
        "category": alert.get_category_display(),
        "category_words": EMAIL_CATEGORY[alert.category],
        "level": alert.get_level_display() if alert.level else "",
        "link": alert_link(alert),
        "ack_due_at": alert.ack_due_at.astimezone(ZoneInfo(alert.clinic.time_zone)),
        **extra,
    }


def _user_email(user: User | None) -> str:
    return user.email if user is not None and user.email else ""


def _ack_minutes(protocol: Protocol) -> int:
    """The protocol's ``urgent_alert_ack_minutes`` (REFERENCE.md section 10)."""
    value = resolve_params(protocol).get(ACK_MINUTES_PARAM)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RuntimeError(f"Protocol {protocol.label} lacks a usable {ACK_MINUTES_PARAM}.")
    return value


# ---------------------------------------------------------------- raising alerts


def _parse_ref(trigger_kind: str, trigger_ref: str) -> tuple[str, str]:
    """("assessment", "42") from "assessment:42"; the clock has no source record."""
    if trigger_kind not in TRIGGER_KINDS:
        raise ValidationFailed({"trigger_kind": ["Use rating, diary, clock or exit_check."]})
    if trigger_kind == "clock":
        return "", ""
    prefix, _, pk = trigger_ref.partition(":")
    expected = TRIGGER_SOURCES[trigger_kind]
    if prefix != expected or not pk.isdigit():
        raise ValidationFailed({"trigger_ref": [f"Use {expected}:<id>."]})
    return prefix, pk


def alerts_evaluate(
    *,
    patient: Patient,
    trigger_kind: str,
    trigger_ref: str,
    actor: Actor | None,
    now: dt.datetime | None = None,
    doses: tuple[DosePoint, ...] | None = None,
) -> list[Alert]:
    """Run the protocol's alert rules for ``patient``; return the alerts raised (new ones only).

    ``trigger_kind`` is "rating" (``trigger_ref`` "assessment:<pk>"), "diary"
    ("diary:<pk>") or "clock" (``trigger_ref`` may be empty). Call it after
    the rating or diary entry is stored. For each finding: the same rule and
    evidence seen before does nothing; a rule with an unresolved alert adds a
    "fired again" event to it; otherwise a new alert is raised, audited, and
    the people it concerns are notified (psychiatrist of record for mood
    elevation, on-call rank 1 for urgent alerts). ``doses`` is the patient's
    doses (``patient_doses``) when the caller has read them already.
    """
    now = now or timezone.now()
    _parse_ref(trigger_kind, trigger_ref)
    if trigger_kind == "clock":
        trigger_ref = trigger_ref or "clock"
    clinic = patient.clinic
    protocol = protocol_for_clinic(clinic.pk)
    history = patient_history(patient=patient, now=now, clock=trigger_kind == "clock", doses=doses)
    findings = evaluate_alerts(
        protocol,
        history,
        Trigger(trigger_kind, trigger_ref),
        now=now,
        tz=ZoneInfo(clinic.time_zone),
    )
    return alerts_record_findings(
        patient=patient,
        findings=findings,
        trigger_kind=trigger_kind,
        trigger_ref=trigger_ref,
        actor=actor,
        now=now,
    )


def alerts_record_findings(
    *,
    patient: Patient,
    findings: Sequence[AlertFinding],
    trigger_kind: str,
    trigger_ref: str,
    actor: Actor | None,
    now: dt.datetime | None = None,
) -> list[Alert]:
    """Store fired alert findings for ``patient`` (dedupe, re-fire or raise and notify).

    The second half of :func:`alerts_evaluate`, public for the demo and tests
    that bring their own findings. Returns the alerts raised (new ones only).
    """
    now = now or timezone.now()
    source_type, source_id = _parse_ref(trigger_kind, trigger_ref)
    if not findings:
        return []
    protocol = protocol_for_clinic(patient.clinic_id)
    raised: list[Alert] = []
    mails: list[_Mail] = []
    with transaction.atomic():
        # One evaluation per patient at a time, so the dedupe below cannot race.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        seen = evidence_keys_seen(patient=patient)
        for finding in findings:
            key = (finding.rule_id, finding.evidence_key)
            if key in seen:
                continue
            seen.add(key)
            existing = alert_unresolved(patient=patient, rule_id=finding.rule_id)
            if existing is not None:
                _refire(existing, finding, now, trigger_kind, trigger_ref)
                mails.extend(_notify_refire(existing, now, protocol))
                continue
            alert = _raise(
                patient=patient,
                finding=finding,
                now=now,
                source=(source_type, source_id),
                trigger=(trigger_kind, trigger_ref),
                actor=actor,
            )
            if alert is None:
                continue
            raised.append(alert)
            mails.extend(_notify_new(alert, finding, now, protocol))
        _send_after_commit(mails)
    for alert in raised:
        logger.info("Alert %s raised by rule %s (%s)", alert.pk, alert.rule_id, alert.priority)
    return raised


def _refire(
    alert: Alert, finding: AlertFinding, now: dt.datetime, trigger_kind: str, trigger_ref: str
) -> None:
    _event(
        alert,
        AlertEventKind.REFIRED,
        now,
        detail={
            "evidence_key": finding.evidence_key,
            "trigger": trigger_kind,
            "ref": trigger_ref,
            "facts": dict(finding.facts),
        },
    )
    _audit(None, alert, AuditAction.UPDATE, event=AlertEventKind.REFIRED.value)


def _raise(
    *,
    patient: Patient,
    finding: AlertFinding,
    now: dt.datetime,
    source: tuple[str, str],
    trigger: tuple[str, str],
    actor: Actor | None,
) -> Alert | None:
    """Create the alert, its "raised" event and the audit row (None if a twin won the race)."""
    alert = Alert(
        clinic=patient.clinic,
        patient=patient,
        category=finding.category,
        priority=finding.priority,
        level=finding.level,
        status=AlertStatus.OPEN,
        rule_id=finding.rule_id,
        protocol_id=finding.protocol_id,
        protocol_version=str(finding.protocol_version),
        title=finding.title[:200],
        action=finding.action[:2000],
        facts=dict(finding.facts),
        evidence_key=finding.evidence_key[:200],
        source_type=source[0],
        source_id=source[1],
        raised_at=now,
        ack_due_at=finding.ack_due_at,
        hold=finding.hold,
    )
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        # Another evaluation opened this rule's alert first: the finding refires it.
        existing = alert_unresolved(patient=patient, rule_id=finding.rule_id)
        if existing is not None:
            _refire(existing, finding, now, *trigger)
        return None
    _event(
        alert,
        AlertEventKind.RAISED,
        now,
        detail={
            "trigger": trigger[0],
            "ref": trigger[1],
            "show_crisis": bool(finding.show_crisis),
            "notify_psychiatrist": bool(finding.notify_psychiatrist),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={
            "rule_id": alert.rule_id,
            "protocol": f"{alert.protocol_id} v{alert.protocol_version}",
            "priority": alert.priority,
            "trigger": trigger[0],
        },
    )
    return alert


def _notify_new(
    alert: Alert, finding: AlertFinding, now: dt.datetime, protocol: Protocol
) -> list[_Mail]:
    """Record who is told about a new alert and return their emails."""
    mails: list[_Mail] = []
    # Mood elevation and urgent suicidality reach the psychiatrist of record whatever the
    # protocol's flag says (issue 15; the coordination letter promises it).
    if (
        finding.notify_psychiatrist
        or alert.category == AlertCategory.MOOD_ELEVATION
        or is_urgent_suicidality(alert)
    ):
        mails.extend(_notify_psychiatrist(alert, now))
    if alert.priority == AlertPriority.URGENT:
        mails.extend(_notify_on_call(alert, now, rank_index=0, protocol=protocol))
    return mails


def _notify_psychiatrist(alert: Alert, now: dt.datetime) -> list[_Mail]:
    psychiatrist = alert.patient.psychiatrist_of_record
    if psychiatrist is None:
        return []
    email = psychiatrist.email or _user_email(psychiatrist.user)
    _event(
        alert,
        AlertEventKind.NOTIFIED,
        now,
        to_user=psychiatrist.user,
        detail={"recipient": "psychiatrist_of_record", "channel": "email" if email else "none"},
    )
    if not email:
        logger.warning("Alert %s: the psychiatrist of record has no email on file", alert.pk)
        return []
    return [
        _Mail(
            subject=f"{alert.clinic.name}: a {EMAIL_CATEGORY[alert.category]} alert "
            "for one of your patients",
            template="alerts/email/psychiatrist.txt",
            recipient=email,
            context=_mail_context(alert, name=psychiatrist.name),
        )
    ]


def _notify_on_call(
    alert: Alert, now: dt.datetime, *, rank_index: int, protocol: Protocol
) -> list[_Mail]:
    """Tell the on-call person at ``rank_index`` (0 = rank 1); the last rank once exhausted."""
    rota = on_call_active(clinic=alert.clinic, day=clinic_today(alert.clinic, now))
    if not rota:
        logger.warning("Alert %s: clinic %s has no on-call rota today", alert.pk, alert.clinic_id)
        return _notify_everyone(alert, now, kind=AlertEventKind.NOTIFIED, protocol=protocol)
    exhausted = rank_index >= len(rota)
    entry = rota[min(rank_index, len(rota) - 1)]
    return _on_call_mail(alert, entry, now, escalated=False, exhausted=exhausted, protocol=protocol)


def _notify_refire(alert: Alert, now: dt.datetime, protocol: Protocol) -> list[_Mail]:
    """An urgent rule fired again on new data: tell whoever holds the alert now.

    That is the person who acknowledged it, or (still open) the on-call
    person at its current escalation step. Routine alerts only get the event.
    """
    if alert.priority != AlertPriority.URGENT:
        return []
    owner = alert.acknowledged_by if alert.status == AlertStatus.ACKNOWLEDGED else None
    if owner is None:
        rota = on_call_active(clinic=alert.clinic, day=clinic_today(alert.clinic, now))
        if not rota:
            return _notify_everyone(
                alert, now, kind=AlertEventKind.NOTIFIED, protocol=protocol, refired=True
            )
        entry = rota[min(alert.escalation_level, len(rota) - 1)]
        return _on_call_mail(
            alert, entry, now, escalated=False, exhausted=False, protocol=protocol, refired=True
        )
    email = _user_email(owner)
    _event(
        alert,
        AlertEventKind.NOTIFIED,
        now,
        to_user=owner,
        detail={
            "recipient": "acknowledged_by",
            "refired": True,
            "channel": "email" if email else "none",
        },
    )
    if not email:
        return []
    return [
        _Mail(
            subject=f"{alert.clinic.name}: an urgent alert you acknowledged fired again",
            template="alerts/email/on_call.txt",
            recipient=email,
            context=_mail_context(
                alert,
                refired=True,
                acknowledged=True,
                minutes=_ack_minutes(protocol),
                name=owner.get_full_name() or owner.get_username(),
            ),
        )
    ]


def _notify_everyone(
    alert: Alert,
    now: dt.datetime,
    *,
    kind: AlertEventKind,
    protocol: Protocol,
    refired: bool = False,
    reason: str = "",
) -> list[_Mail]:
    """Nobody is on today's rota: tell every physician and clinic admin of the clinic.

    An urgent alert must still reach a person (issue 15). Each person told gets an
    event (recipient "no_rota"); the emails name no patient.
    """
    people = clinic_fallback_recipients(clinic=alert.clinic)
    if not people:
        _event(alert, kind, now, detail={"recipient": "no_rota", "rota": 0, "told": 0})
        logger.error("Alert %s: clinic %s has nobody to tell", alert.pk, alert.clinic_id)
        return []
    mails: list[_Mail] = []
    for user in people:
        email = _user_email(user)
        _event(
            alert,
            kind,
            now,
            to_user=user,
            detail={
                "recipient": "no_rota",
                "rota": 0,
                "level": alert.escalation_level,
                "channel": "email" if email else "none",
                **({"refired": True} if refired else {}),
                **({"reason": reason} if reason else {}),
            },
        )
        if not email:
            continue
        mails.append(
            _Mail(
                subject=f"{alert.clinic.name}: urgent alert and nobody on the on-call rota",
                template="alerts/email/no_rota.txt",
                recipient=email,
                context=_mail_context(
                    alert,
                    escalated=kind == AlertEventKind.ESCALATED,
                    refired=refired,
                    not_reached=reason == NOT_REACHED,
                    minutes=_ack_minutes(protocol),
                    name=user.get_full_name() or user.get_username(),
                ),
            )
        )
    return mails


def _on_call_mail(
    alert: Alert,
    entry: OnCallEntry,
    now: dt.datetime,
    *,
    escalated: bool,
    exhausted: bool,
    protocol: Protocol,
    refired: bool = False,
    reason: str = "",
) -> list[_Mail]:
    kind = AlertEventKind.ESCALATED if escalated else AlertEventKind.NOTIFIED
    email = _user_email(entry.user)
    _event(
        alert,
        kind,
        now,
        to_user=entry.user,
        detail={
            "recipient": "on_call",
            "rank": entry.rank,
            "rota_exhausted": exhausted,
            "level": alert.escalation_level,
            "channel": "email" if email else "none",
            **({"refired": True} if refired else {}),
            **({"reason": reason} if reason else {}),
        },
    )
    if not email:
        logger.warning("Alert %s: on-call rank %s has no email address", alert.pk, entry.rank)
        return []
    if reason == NOT_REACHED:
        what = "patient not reached, escalated to you"
    elif escalated:
        what = "not acknowledged, escalated to you"
    else:
        what = "fired again on new data" if refired else "needs acknowledgement"
    return [
        _Mail(
            subject=f"{alert.clinic.name}: urgent alert {what}",
            template="alerts/email/on_call.txt",
            recipient=email,
            context=_mail_context(
                alert,
                escalated=escalated,
                exhausted=exhausted,
                refired=refired,
                not_reached=reason == NOT_REACHED,
                minutes=_ack_minutes(protocol),
                name=entry.user.get_full_name() or entry.user.get_username(),
            ),
        )
    ]


# ---------------------------------------------------------------- lifecycle


def alert_acknowledge(*, actor: Actor, alert: Alert, now: dt.datetime | None = None) -> Alert:
    """Open -> acknowledged: someone has seen the alert and owns the next step."""
    _require(actor, AlertPerm.ACKNOWLEDGE)
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(f"This alert is already {alert.get_status_display().lower()}.")
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = now
        alert.acknowledged_by = actor.user
        alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
        _event(alert, AlertEventKind.ACKNOWLEDGED, now, by=actor.user)
        _audit(actor, alert, AuditAction.UPDATE, event="acknowledged")
    return alert


@dataclass(frozen=True)
class RiskAssessment:
    """The assessment that resolves an urgent suicidality alert (REFERENCE.md section 7).

    ``basis`` "cssrs" (a C-SSRS result: ``cssrs_id`` links a stored rating, or
    ``level`` gives a paper one) or "judgement" (the clinician's risk judgement,
    ``level`` low / moderate / high); ``safety_plan_step`` is the safety-plan step taken.
    """

    basis: str = ""
    level: str = ""
    cssrs_id: int | None = None
    safety_plan_step: str = ""


def needs_documented_resolution(alert: Alert) -> bool:
    """Tier 2 / tier 3 / C-SSRS moderate or high alerts resolve only with contact + assessment."""
    return is_urgent_suicidality(alert)


def _risk_assessment(alert: Alert, risk: RiskAssessment | None) -> dict[str, object]:
    """The checked assessment as stored on the "resolved" event; 422 naming each field."""
    risk = risk or RiskAssessment()
    errors: dict[str, list[str]] = {}
    level = (risk.level or "").strip()
    cssrs_id: int | None = None
    if risk.basis not in RiskBasis.values:
        errors["risk_basis"] = ["Choose a C-SSRS result or your risk judgement."]
    elif risk.basis == RiskBasis.CSSRS and risk.cssrs_id is not None:
        rating = Assessment.objects.filter(
            pk=risk.cssrs_id, patient_id=alert.patient_id, instrument_id__in=CSSRS_IDS
        ).first()
        if rating is None or not rating.complete or rating.band not in CssrsLevel.values:
            errors["cssrs_id"] = ["Choose a complete C-SSRS of this patient."]
        elif str(rating.pk) == alert.source_id and alert.source_type == "assessment":
            errors["cssrs_id"] = ["That C-SSRS raised this alert; record the follow-up one."]
        elif rating.taken_at < alert.raised_at:
            errors["cssrs_id"] = ["Choose a C-SSRS taken after the alert was raised."]
        elif level and level != rating.band:
            errors["risk_level"] = [f"The linked C-SSRS gives {rating.band}."]
        else:
            cssrs_id, level = rating.pk, rating.band
    elif risk.basis == RiskBasis.CSSRS and level not in CssrsLevel.values:
        errors["risk_level"] = ["Give the C-SSRS level (or link the stored C-SSRS)."]
    elif risk.basis == RiskBasis.JUDGEMENT and level not in JUDGEMENT_LEVELS:
        errors["risk_level"] = ["Give your judgement of the risk: low, moderate or high."]
    step = (risk.safety_plan_step or "").strip()
    if not step:
        errors["safety_plan_step"] = ["Write the safety-plan step taken."]
    elif len(step) > NOTE_MAX:
        errors["safety_plan_step"] = [f"Keep it under {NOTE_MAX} characters."]
    if errors:
        raise ValidationFailed(errors)
    return {"basis": risk.basis, "level": level, "cssrs_id": cssrs_id, "safety_plan_step": step}


def alert_resolve(
    *,
    actor: Actor,
    alert: Alert,
    action_taken: str,
    risk: RiskAssessment | None = None,
    now: dt.datetime | None = None,
) -> Alert:
    """Acknowledged -> resolved, with the action taken (required).

    An open alert is acknowledged first (409). An amber hold still in place
    is cleared by a physician's resolution (it is the physician's review);
    anyone else gets 409. A red hold must be lifted by contact and a
    psychiatrist's review before the alert can be resolved (409).

    A tier 2 / tier 3 / C-SSRS moderate or high alert (REFERENCE.md section 7)
    also needs a recorded contact in which the patient was reached (409: an
    unreached attempt keeps it open) and ``risk``, the assessment (422 naming
    each missing field).
    """
    _require(actor, AlertPerm.RESOLVE)
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict("This alert is already resolved.")
        if alert.status == AlertStatus.OPEN:
            raise Conflict("Acknowledge the alert before resolving it.")
        assessment: dict[str, object] | None = None
        if needs_documented_resolution(alert):
            if alert.contact_made_at is None:
                raise Conflict(
                    "Record the contact in which the patient was reached first. A voicemail "
                    "or a call not answered does not resolve this alert: it stays open and "
                    "goes to the next person on the on-call rota."
                )
            assessment = _risk_assessment(alert, risk)
        text = _text("action_taken", action_taken, required=True, what="Write the action taken.")
        clears_amber = False
        if alert.holds_next_session:
            if alert.hold == SessionHold.RED:
                raise Conflict(
                    "A red hold stays until same-day contact and a psychiatrist's review are "
                    "recorded; resolve the alert after that."
                )
            if not actor.has(AlertPerm.CLEAR_HOLD):
                raise Conflict("The amber hold on the next session needs a physician to clear it.")
            clears_amber = True
        fields = ["status", "resolved_at", "resolved_by", "action_taken", "updated_at"]
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.resolved_by = actor.user
        alert.action_taken = text
        if clears_amber:
            alert.hold_cleared_at = now
            alert.hold_cleared_by = actor.user
            fields += ["hold_cleared_at", "hold_cleared_by"]
            _event(
                alert,
                AlertEventKind.HOLD_CLEARED,
                now,
                by=actor.user,
                note=text,
                detail={"by_resolution": True},
            )
        alert.save(update_fields=fields)
        detail = {"assessment": assessment} if assessment is not None else {}
        _event(alert, AlertEventKind.RESOLVED, now, by=actor.user, note=text, detail=detail)
        _audit(
            actor, alert, AuditAction.UPDATE, event="resolved", hold_cleared=clears_amber, **detail
        )
    return alert


def _contact_by(alert: Alert, actor: Actor, user_id: int | None) -> User:
    """Who made the contact: the actor, or an active clinician of the alert's clinic (422)."""
    if user_id is None or user_id == actor.user_id:
        return actor.user
    membership = (
        Membership.objects.select_related("user")
        .filter(user_id=user_id, clinic_id=alert.clinic_id, is_active=True, user__is_active=True)
        .first()
    )
    if membership is None or AlertPerm.RESOLVE not in permissions_for(
        role=Role(membership.role), account_type=AccountType.STAFF
    ):
        raise ValidationFailed({"contacted_by_id": ["Choose a clinician of this clinic."]})
    return membership.user


def alert_record_contact(
    *,
    actor: Actor,
    alert: Alert,
    note: str = "",
    method: str = "",
    reached: bool = True,
    contacted_by_id: int | None = None,
    contacted_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Alert:
    """Record a contact with the patient: who, when, how (``method``) and whether reached.

    A contact that reached the patient is the same-day contact (half of lifting a
    red hold; needed to resolve a tier 2 / tier 3 / C-SSRS moderate or high
    alert, for which ``method`` is required). An attempt that did not reach the
    patient ("left a voicemail") is recorded and keeps the alert open; an urgent
    alert then goes one step along the on-call rota at once (everyone when the
    rota is empty).
    """
    _require(actor, AlertPerm.RESOLVE)
    now = now or timezone.now()
    mails: list[_Mail] = []
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict("This alert is already resolved.")
        if reached and alert.contact_made_at is not None:
            raise Conflict("Contact is already recorded on this alert.")
        errors: dict[str, list[str]] = {}
        if method and method not in ContactMethod.values:
            errors["method"] = ["Choose in person, phone or video."]
        elif not method and needs_documented_resolution(alert):
            errors["method"] = ["Say how the contact was made: in person, phone or video."]
        at = contacted_at or now
        if at > now + dt.timedelta(minutes=5):
            errors["contacted_at"] = ["A contact cannot be in the future."]
        elif at < alert.raised_at - dt.timedelta(minutes=5):
            errors["contacted_at"] = ["This is before the alert was raised."]
        text = _text("note", note, required=False, what="")
        if errors:
            raise ValidationFailed(errors)
        by = _contact_by(alert, actor, contacted_by_id)
        detail = {"method": method, "reached": reached, "recorded_by": actor.user_id}
        if not reached:
            _event(alert, AlertEventKind.CONTACT_ATTEMPTED, at, by=by, note=text, detail=detail)
            _audit(actor, alert, AuditAction.UPDATE, event="contact_attempted", method=method)
            if alert.priority == AlertPriority.URGENT:
                protocol = protocol_for_clinic(alert.clinic_id)
                mails = _escalate_step(alert, now, protocol, reason=NOT_REACHED)
            _send_after_commit(mails)
            return alert
        alert.contact_made_at = at
        fields = ["contact_made_at", "updated_at"]
        _event(alert, AlertEventKind.CONTACT_MADE, at, by=by, note=text, detail=detail)
        fields += _maybe_lift_red(alert, actor, now)
        alert.save(update_fields=fields)
        _audit(actor, alert, AuditAction.UPDATE, event="contact_made", method=method)
    return alert


def alert_may_review(actor: Actor, alert: Alert) -> bool:
    """A psychiatrist (REFERENCE.md section 5.2 "pending psychiatrist review").

    The patient's psychiatrist of record in her own login, or a physician of the
    alert's clinic whose membership records the psychiatrist credential (set by
    the clinic admin). Any other physician may not.
    """
    if not actor.has(AlertPerm.PSYCHIATRIC_REVIEW):
        return False
    if actor.account_type == AccountType.PSYCHIATRIST_OF_RECORD:
        psychiatrist = alert.patient.psychiatrist_of_record
        return psychiatrist is not None and psychiatrist.user_id == actor.user_id
    return (
        actor.account_type == AccountType.STAFF
        and actor.role == Role.PHYSICIAN
        and actor.clinic_id == alert.clinic_id
        and membership_is_psychiatrist(user=actor.user, clinic_id=alert.clinic_id)
    )


def alert_record_psychiatric_review(
    *, actor: Actor, alert: Alert, note: str, now: dt.datetime | None = None
) -> Alert:
    """A psychiatrist records their review (with contact made, this lifts a red hold).

    The review does not resolve the alert: clinic staff resolve it afterwards.
    """
    if not alert_may_review(actor, alert):
        raise PermissionDenied(
            "Only a psychiatrist records this review: the patient's psychiatrist of record, "
            "or a clinic physician recorded as a psychiatrist."
        )
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict("This alert is already resolved.")
        if alert.psychiatric_review_at is not None:
            raise Conflict("A psychiatrist's review is already recorded on this alert.")
        text = _text("note", note, required=True, what="Write the review.")
        alert.psychiatric_review_at = now
        alert.psychiatric_review_by = actor.user
        fields = ["psychiatric_review_at", "psychiatric_review_by", "updated_at"]
        _event(alert, AlertEventKind.PSYCHIATRIC_REVIEW, now, by=actor.user, note=text)
        fields += _maybe_lift_red(alert, actor, now)
        alert.save(update_fields=fields)
        _audit(actor, alert, AuditAction.UPDATE, event="psychiatric_review")
    return alert


def _maybe_lift_red(alert: Alert, actor: Actor, now: dt.datetime) -> list[str]:
    """Lift a red hold once both contact and a psychiatrist's review are recorded."""
    if not (
        alert.hold == SessionHold.RED
        and alert.hold_cleared_at is None
        and alert.contact_made_at is not None
        and alert.psychiatric_review_at is not None
    ):
        return []
    alert.hold_cleared_at = now
    alert.hold_cleared_by = alert.psychiatric_review_by or actor.user
    _event(
        alert,
        AlertEventKind.HOLD_CLEARED,
        now,
        by=actor.user,
        detail={"by": "contact_and_psychiatric_review"},
    )
    return ["hold_cleared_at", "hold_cleared_by"]


def alert_clear_hold(
    *, actor: Actor, alert: Alert, note: str, now: dt.datetime | None = None
) -> Alert:
    """A physician clears an amber hold with a note (a red hold lifts by contact and review)."""
    _require(actor, AlertPerm.CLEAR_HOLD)
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.hold == SessionHold.NONE:
            raise Conflict("This alert holds no session.")
        if alert.hold_cleared_at is not None:
            raise Conflict("The hold is already cleared.")
        if alert.hold == SessionHold.RED:
            raise Conflict(
                "A red hold lifts when same-day contact and a psychiatrist's review are recorded."
            )
        text = _text("note", note, required=True, what="Write why the session may go ahead.")
        alert.hold_cleared_at = now
        alert.hold_cleared_by = actor.user
        alert.save(update_fields=["hold_cleared_at", "hold_cleared_by", "updated_at"])
        _event(alert, AlertEventKind.HOLD_CLEARED, now, by=actor.user, note=text)
        _audit(actor, alert, AuditAction.UPDATE, event="hold_cleared")
    return alert


# ---------------------------------------------------------------- escalation and the clock


def alerts_escalate_overdue(now: dt.datetime | None = None) -> list[Alert]:
    """Escalate urgent alerts still open past their time, one rota step per interval.

    The first step comes at ``ack_due_at`` (rank 1 was told when the alert
    was raised); each later step waits ``urgent_alert_ack_minutes`` after the
    previous one. Once the rota is exhausted the last rank is told again at
    every step, and the alert page says so. Returns the alerts escalated.
    """
    now = now or timezone.now()
    escalated: list[Alert] = []
    candidates = Alert.objects.filter(
        status=AlertStatus.OPEN, priority=AlertPriority.URGENT, ack_due_at__lte=now
    ).values_list("pk", flat=True)
    for alert_id in list(candidates):
        try:
            alert = _escalate_one(alert_id, now)
        except Exception:  # one broken alert must not stop the others
            logger.exception("Escalation failed for alert %s", alert_id)
            continue
        if alert is not None:
            escalated.append(alert)
    return escalated


def _escalate_one(alert_id: int, now: dt.datetime) -> Alert | None:
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .select_related("patient", "clinic")
            .filter(pk=alert_id, status=AlertStatus.OPEN)
            .first()
        )
        if alert is None:
            return None
        protocol = protocol_for_clinic(alert.clinic_id)
        interval = dt.timedelta(minutes=_ack_minutes(protocol))
        due = (
            alert.ack_due_at
            if alert.escalation_level == 0 or alert.last_escalated_at is None
            else alert.last_escalated_at + interval
        )
        if now < due:
            return None
        mails = _escalate_step(alert, now, protocol)
        _audit(None, alert, AuditAction.UPDATE, event="escalated", level=alert.escalation_level)
        _send_after_commit(mails)
    logger.info("Alert %s escalated to level %s", alert.pk, alert.escalation_level)
    return alert


def _escalate_step(
    alert: Alert, now: dt.datetime, protocol: Protocol, *, reason: str = ""
) -> list[_Mail]:
    """Move a locked alert one step along the rota (everyone when there is no rota)."""
    alert.escalation_level += 1
    alert.last_escalated_at = now
    alert.save(update_fields=["escalation_level", "last_escalated_at", "updated_at"])
    rota = on_call_active(clinic=alert.clinic, day=clinic_today(alert.clinic, now))
    if not rota:
        logger.warning("Alert %s is escalated and clinic %s has no rota", alert.pk, alert.clinic_id)
        return _notify_everyone(
            alert, now, kind=AlertEventKind.ESCALATED, protocol=protocol, reason=reason
        )
    exhausted = alert.escalation_level >= len(rota)
    entry = rota[min(alert.escalation_level, len(rota) - 1)]
    return _on_call_mail(
        alert, entry, now, escalated=True, exhausted=exhausted, protocol=protocol, reason=reason
    )


def clock_patients(now: dt.datetime) -> list[Patient]:
    """Patients with an active check-in assignment or an active treatment course."""
    today = now.date()
    active_assignment = Assignment.objects.filter(active=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today - dt.timedelta(days=1))
    )
    return list(
        Patient.objects.filter(
            Q(pk__in=active_assignment.values("patient_id"))
            | Q(courses__status=CourseStatus.ACTIVE)
        )
        .select_related("clinic", "psychiatrist_of_record")
        .distinct()
        .order_by("pk")
    )


def alerts_evaluate_clock(now: dt.datetime | None = None) -> list[Alert]:
    """Run trigger "clock" for every patient with an active assignment or course.

    This is where missed check-ins, overdue weekly scales and non-response
    after induction are noticed. Returns the alerts raised.
    """
    now = now or timezone.now()
    raised: list[Alert] = []
    for patient in clock_patients(now):
        try:
            raised += alerts_evaluate(
                patient=patient, trigger_kind="clock", trigger_ref="", actor=None, now=now
            )
        except Exception:  # one patient's failure must not stop the clock for the others
            logger.exception("Clock evaluation failed for patient id %s", patient.pk)
    return raised


# ---------------------------------------------------------------- on-call rota


def _rota_member(clinic: Clinic, user_id: object) -> User:
    """The clinic's active staff member who may take urgent alerts, or 422 naming user_id."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise ValidationFailed({"user_id": ["Choose a staff member."]})
    membership = (
        Membership.objects.select_related("user")
        .filter(user_id=user_id, clinic=clinic, is_active=True, user__is_active=True)
        .first()
    )
    if membership is None:
        raise ValidationFailed({"user_id": ["Not an active staff member of this clinic."]})
    if AlertPerm.ACKNOWLEDGE not in permissions_for(
        role=Role(membership.role), account_type=AccountType.STAFF
    ):
        raise ValidationFailed(
            {"user_id": ["Only clinical staff who can acknowledge alerts may be on call."]}
        )
    return membership.user


def on_call_add(
    *,
    actor: Actor,
    user_id: object,
    rank: int | None = None,
    phone: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> OnCallEntry:
    """Add a staff member to the clinic's rota (at ``rank``, default last; others move down)."""
    _require(actor, AlertPerm.MANAGE_ON_CALL)
    clinic = actor.clinic
    if clinic is None:
        raise PermissionDenied("Choose a clinic first.")
    user = _rota_member(clinic, user_id)
    phone = (phone or "").strip()
    if phone:
        try:
            PHONE_VALIDATOR(phone)
        except Exception as exc:
            raise ValidationFailed(
                {"phone": ["Enter a phone number: digits, spaces, + ( ) - . /"]}
            ) from exc
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValidationFailed({"ends_on": ["The end date is before the start date."]})
    if rank is not None and (rank < 1 or rank > 99):
        raise ValidationFailed({"rank": ["Use a rank from 1 to 99."]})
    with transaction.atomic():
        entries = list(on_call_entries(clinic=clinic).select_for_update())
        last = max((e.rank for e in entries), default=0)
        rank = last + 1 if rank is None or rank > last else rank
        for entry in entries:
            if entry.rank >= rank:
                entry.rank += 1
                entry.save(update_fields=["rank"])
        created = OnCallEntry.objects.create(
            clinic=clinic,
            user=user,
            rank=rank,
            phone=phone,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=ON_CALL_OBJECT_TYPE,
            object_id=created.pk,
            detail={"user_id": user.pk, "rank": rank},
        )
    return created


def _renumber(clinic_entries: list[OnCallEntry]) -> None:
    for number, entry in enumerate(sorted(clinic_entries, key=lambda e: (e.rank, e.pk)), start=1):
        if entry.rank != number:
            entry.rank = number
            entry.save(update_fields=["rank"])


def on_call_remove(*, actor: Actor, entry: OnCallEntry) -> None:
    """Take an entry off the rota; the ranks below move up."""
    _require(actor, AlertPerm.MANAGE_ON_CALL)
    with transaction.atomic():
        entries = list(on_call_entries(clinic=entry.clinic).select_for_update())
        target = next((e for e in entries if e.pk == entry.pk), None)
        if target is None:
            raise Conflict("This entry is no longer on the rota.")
        entry_id, user_id = target.pk, target.user_id
        rest = [e for e in entries if e.pk != entry_id]
        target.delete()
        _renumber(rest)
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type=ON_CALL_OBJECT_TYPE,
            object_id=entry_id,
            detail={"user_id": user_id},
        )


def on_call_move(*, actor: Actor, entry: OnCallEntry, direction: str) -> OnCallEntry:
    """Swap an entry with its neighbour ("up" = earlier rank, "down" = later rank)."""
    _require(actor, AlertPerm.MANAGE_ON_CALL)
    if direction not in {"up", "down"}:
        raise ValidationFailed({"direction": ["Use up or down."]})
    with transaction.atomic():
        entries = sorted(
            on_call_entries(clinic=entry.clinic).select_for_update(), key=lambda e: (e.rank, e.pk)
        )
        _renumber(entries)
        index = next((i for i, e in enumerate(entries) if e.pk == entry.pk), None)
        if index is None:
            raise Conflict("This entry is no longer on the rota.")
        other = index - 1 if direction == "up" else index + 1
        if other < 0 or other >= len(entries):
            raise Conflict(f"This entry is already {'first' if direction == 'up' else 'last'}.")
        mine, theirs = entries[index], entries[other]
        mine.rank, theirs.rank = theirs.rank, mine.rank
        mine.save(update_fields=["rank"])
        theirs.save(update_fields=["rank"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=ON_CALL_OBJECT_TYPE,
            object_id=mine.pk,
            detail={"rank": mine.rank},
        )
    return mine
