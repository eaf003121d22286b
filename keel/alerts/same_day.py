"""Writes for the physician's same-day assessment before a dose (urgent suicidality alerts).

REFERENCE.md section 7 tier 2: "same-day assessment by a licensed clinician and the
prescriber documents the dosing decision"; tier 3 / C-SSRS high: the high-risk pathway
"whatever the other results". While an urgent suicidality alert is open or acknowledged
the go / no-go is no-go until this assessment is recorded on the clinic day with the
decision "dose today" (``keel.alerts.selectors.suicide_dosing_gate``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import AlertPerm, TreatmentPerm
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.alerts.models import CssrsLevel, DosingDecision, SuicideDosingAssessment
from keel.alerts.selectors import clinic_today, urgent_suicide_alerts
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.clinical.instruments.cssrs import SINCE_LAST_VISIT_ID
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.monitoring.models import Assessment
from keel.patients.models import Patient

OBJECT_TYPE = "suicide_dosing_assessment"
REASON_MAX = 4000


def may_record_dosing_assessment(actor: Actor, patient: Patient) -> bool:
    """A physician of the patient's clinic (the prescriber documents the decision)."""
    return (
        actor.account_type == AccountType.STAFF
        and actor.clinic_id == patient.clinic_id
        and actor.has(TreatmentPerm.PHYSICIAN_DECISIONS)
        and actor.has(AlertPerm.VIEW_ALERTS)
    )


def _cssrs(patient: Patient, cssrs_id: int, today: dt.date) -> Assessment:
    """The linked C-SSRS since last visit: the patient's, taken on the clinic day, complete."""
    rating = Assessment.objects.filter(
        pk=cssrs_id, patient=patient, instrument_id=SINCE_LAST_VISIT_ID
    ).first()
    if rating is None:
        raise ValidationFailed({"cssrs_id": ["Choose a C-SSRS since last visit of this patient."]})
    if rating.taken_at.astimezone(ZoneInfo(patient.clinic.time_zone)).date() != today:
        raise ValidationFailed({"cssrs_id": ["This C-SSRS was not taken in today's visit."]})
    if not rating.complete or rating.band not in CssrsLevel.values:
        raise ValidationFailed({"cssrs_id": ["This C-SSRS is incomplete: ask every question."]})
    return rating


def suicide_dosing_assessment_record(
    *,
    actor: Actor,
    patient: Patient,
    decision: str,
    reason: str,
    cssrs_id: int | None = None,
    cssrs_level: str = "",
    now: dt.datetime | None = None,
) -> SuicideDosingAssessment:
    """Record the physician's same-day assessment and dosing decision for ``patient``.

    The C-SSRS since last visit is done in this visit: link the stored rating
    (``cssrs_id``; its level is used) or, when it was done on paper, give
    ``cssrs_level``. ``decision`` is "dose" or "do_not_dose", with a written
    reason. A high C-SSRS routes to crisis care, never "dose" (422 on
    ``decision``). 409 when no urgent suicidality alert is open.
    """
    if not may_record_dosing_assessment(actor, patient):
        raise PermissionDenied("Only a physician of the patient's clinic records this assessment.")
    now = now or timezone.now()
    today = clinic_today(patient.clinic, now)
    errors: dict[str, list[str]] = {}
    if decision not in DosingDecision.values:
        errors["decision"] = ["Choose dose today or do not dose today."]
    text = (reason or "").strip()
    if not text:
        errors["reason"] = ["Write the reason for the decision."]
    elif len(text) > REASON_MAX:
        errors["reason"] = [f"Keep it under {REASON_MAX} characters."]
    rating = None
    level = (cssrs_level or "").strip()
    if cssrs_id is not None:
        try:
            rating = _cssrs(patient, cssrs_id, today)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        else:
            if level and level != rating.band:
                errors["cssrs_level"] = [
                    f"The linked C-SSRS gives {rating.band}; leave the level empty."
                ]
            level = rating.band
    elif level not in CssrsLevel.values:
        errors["cssrs_level"] = [
            "Do the C-SSRS since last visit in this visit and give its level (or link it)."
        ]
    if errors:
        raise ValidationFailed(errors)
    if level == CssrsLevel.HIGH and decision == DosingDecision.DOSE:
        raise ValidationFailed(
            {
                "decision": [
                    "A high C-SSRS level routes to the high-risk pathway: do not dose today."
                ]
            }
        )
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        alerts = urgent_suicide_alerts(patient=patient)
        if not alerts:
            raise Conflict("No urgent suicidality alert is open for this patient.")
        record = SuicideDosingAssessment(
            clinic_id=patient.clinic_id,
            patient=patient,
            assessed_on=today,
            recorded_at=now,
            recorded_by=actor.user,
            cssrs=rating,
            cssrs_level=level,
            decision=decision,
            reason=text,
            alert_ids=[alert.pk for alert in alerts],
            created_by=actor.user,
            updated_by=actor.user,
        )
        record.full_clean()
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=record.pk,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            detail={
                "decision": decision,
                "cssrs_level": level,
                "cssrs_id": rating.pk if rating is not None else None,
                "alert_ids": record.alert_ids,
            },
        )
    return record
