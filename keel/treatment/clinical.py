"""Session facts for the protocol, built from what was recorded (the read side of a session).

Each builder reads the session's rows and returns the plain facts the pure
core evaluates; nothing here decides anything clinical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from keel.alerts.selectors import clinic_today, session_hold_level, suicide_dosing_gate
from keel.clinical.protocol import (
    Finding,
    Protocol,
    ProtocolError,
    RuleKind,
    evaluate,
    resolve_params,
)
from keel.clinical.protocol.floors import FLOOR_RULE_IDS, SafetyFloor
from keel.clinical.sessions import (
    SessionParams,
    bp_recheck_rested,
    discharge_readiness,
    session_params,
)
from keel.clinical.sessions.spo2 import Spo2Reading, spo2_seconds_below
from keel.intake.protocols import protocol_for_clinic
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.treatment.models import (
    ExitCheck,
    ExitDecision,
    TreatmentSession,
    VitalContext,
    VitalSigns,
)
from keel.treatment.selectors import adverse_events_previous_session, exit_check_latest

FactValue = bool | int | Decimal | str | list[str] | None
SPO2_LEVEL_PARAM = "spo2_prescriber_below"


def session_protocol(session: TreatmentSession) -> tuple[Protocol, SessionParams]:
    """The protocol governing the session's clinic and its typed session parameters."""
    protocol = protocol_for_clinic(session.patient.clinic_id)
    return protocol, session_params(protocol)


def _vitals(session: TreatmentSession, context: VitalContext) -> list[VitalSigns]:
    return list(session.vitals.filter(context=context).order_by("taken_at", "pk"))


def _rating(
    session: TreatmentSession, instrument_id: str, purposes: tuple[str, ...]
) -> Assessment | None:
    return (
        Assessment.objects.filter(
            patient=session.patient,
            instrument_id=instrument_id,
            purpose__in=purposes,
            taken_at__gte=session.state_changed_at or session.scheduled_for,
        )
        .order_by("-taken_at", "-pk")
        .first()
    )


def precheck_facts(
    *, session: TreatmentSession, answers: Mapping[str, FactValue], params: SessionParams
) -> dict[str, FactValue]:
    """Facts for the go / no-go rules: today's vitals and ratings plus the checklist answers.

    ``open_mood_alert`` comes from the patient's alerts (``session_holds``):
    the strongest hold not yet cleared, never from a checklist answer.
    """
    pre = _vitals(session, VitalContext.PRE_DOSE)
    rechecks = _vitals(session, VitalContext.RECHECK)
    first = pre[0] if pre else None
    recheck = rechecks[-1] if rechecks else None
    rested = (
        first is not None
        and recheck is not None
        and bp_recheck_rested(first.taken_at, recheck.taken_at, params)
    )
    purposes = (AssessmentPurpose.PRE_SESSION, AssessmentPurpose.IN_SESSION)
    ymrs = _rating(session, "ymrs", purposes)
    cssrs = _rating(session, "cssrs_since_last_visit", purposes)
    madrs = _rating(session, "madrs", purposes)
    asrm = (
        Assessment.objects.filter(
            patient=session.patient,
            instrument_id="asrm",
            taken_at__gte=(session.scheduled_for - dt.timedelta(days=7)),
        )
        .order_by("-taken_at", "-pk")
        .first()
    )
    madrs_item10 = madrs.answers[9] if madrs is not None else None
    clinic = session.patient.clinic
    gate = suicide_dosing_gate(patient=session.patient, on=clinic_today(clinic, timezone.now()))
    return {
        "route": session.course.route,
        "predose_systolic_bp": first.systolic_bp if first else None,
        "predose_diastolic_bp": first.diastolic_bp if first else None,
        "predose_heart_rate": first.heart_rate if first else None,
        "predose_spo2": first.spo2 if first else None,
        "predose_bp_rechecked": bool(rested),
        "recheck_systolic_bp": recheck.systolic_bp if rested and recheck else None,
        "recheck_diastolic_bp": recheck.diastolic_bp if rested and recheck else None,
        "ymrs_total_predose": ymrs.total if ymrs is not None else None,
        "asrm_total_recent": asrm.total if asrm is not None else None,
        "cssrs_since_last_visit_level": (cssrs.band or None) if cssrs is not None else None,
        "madrs_item10_session": madrs_item10 if isinstance(madrs_item10, int) else None,
        **answers,
        # An adverse event recorded in the last dosed session counts whatever the answer.
        "adverse_event_since_last": True
        if adverse_events_previous_session(session=session)[1]
        else answers.get("adverse_event_since_last"),
        "open_mood_alert": session_hold_level(session.patient),
        # Urgent suicidality alerts found between sessions reach the dosing decision
        # until a physician records today's assessment (REFERENCE.md section 7).
        "suicide_alert_urgent_open": gate.urgent_open,
        "suicide_same_day_assessment": gate.assessed_today,
    }


def _spo2_seconds_below(
    session: TreatmentSession, latest: VitalSigns | None, protocol: Protocol
) -> int | None:
    """Seconds the session's SpO2 has stayed below ``spo2_prescriber_below`` up to ``latest``.

    Every reading of the session up to the latest counts, in the order taken
    (REFERENCE.md section 1.9, "sustained"); see ``spo2_seconds_below``.
    """
    if latest is None:
        return None
    level = resolve_params(protocol).get(SPO2_LEVEL_PARAM)
    if not isinstance(level, int) or isinstance(level, bool):
        raise ProtocolError(f"parameter {SPO2_LEVEL_PARAM}: the stop rules need an integer")
    readings = [
        Spo2Reading(v.taken_at, v.spo2)
        for v in session.vitals.filter(taken_at__lte=latest.taken_at)
        .exclude(pk=latest.pk)
        .order_by("taken_at", "pk")
    ]
    return spo2_seconds_below([*readings, Spo2Reading(latest.taken_at, latest.spo2)], level)


def monitoring_facts(
    *,
    session: TreatmentSession,
    latest: VitalSigns | None,
    moaas: int | None,
    apnoea: bool,
    symptoms: bool,
    protocol: Protocol,
) -> dict[str, FactValue]:
    """Facts for the stop rules from the newest readings.

    ``spo2_sustained_seconds`` is the time SpO2 has stayed below the
    prescriber level, from the run of low readings ending at ``latest``.
    """
    return {
        "current_systolic_bp": latest.systolic_bp if latest else None,
        "current_diastolic_bp": latest.diastolic_bp if latest else None,
        "current_heart_rate": latest.heart_rate if latest else None,
        "current_spo2": latest.spo2 if latest else None,
        "current_respiratory_rate": latest.respiratory_rate if latest else None,
        "current_moaas": moaas,
        "apnoea": apnoea,
        "target_organ_symptoms": symptoms,
        "spo2_sustained_seconds": _spo2_seconds_below(session, latest, protocol),
    }


def _minutes(start: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if start is None else int((now - start).total_seconds() // 60)


def discharge_facts(
    *,
    session: TreatmentSession,
    now: dt.datetime,
    escort_present: bool,
    no_driving_acknowledged: bool,
) -> dict[str, FactValue]:
    """Facts for the discharge criteria: time observed, latest readings against pre-dose."""
    pre = _vitals(session, VitalContext.PRE_DOSE)
    latest = session.vitals.order_by("-taken_at", "-pk").first()
    ratings = Assessment.objects.filter(
        patient=session.patient, taken_at__gte=session.scheduled_for - dt.timedelta(hours=12)
    )
    moaas = ratings.filter(instrument_id="moaas").order_by("-taken_at", "-pk").first()
    cadss_all = list(ratings.filter(instrument_id="cadss").order_by("taken_at", "pk"))
    predose_cadss = next(
        (
            a
            for a in cadss_all
            if session.dose_started_at is None or a.taken_at <= session.dose_started_at
        ),
        None,
    )
    latest_cadss = cadss_all[-1] if cadss_all else None
    exit_check = exit_check_latest(session=session)
    return {
        "route": session.course.route,
        "minutes_since_dose_start": _minutes(session.dose_started_at, now),
        "minutes_since_infusion_end": _minutes(session.infusion_ended_at, now),
        "latest_moaas": moaas.total if moaas is not None else None,
        "latest_spo2": latest.spo2 if latest else None,
        "predose_spo2": pre[0].spo2 if pre else None,
        "latest_cadss": latest_cadss.total if latest_cadss is not None else None,
        "predose_cadss": predose_cadss.total if predose_cadss is not None else None,
        "latest_systolic_bp": latest.systolic_bp if latest else None,
        "latest_diastolic_bp": latest.diastolic_bp if latest else None,
        "latest_heart_rate": latest.heart_rate if latest else None,
        "predose_systolic_bp": pre[0].systolic_bp if pre else None,
        "predose_diastolic_bp": pre[0].diastolic_bp if pre else None,
        "predose_heart_rate": pre[0].heart_rate if pre else None,
        "escort_present": escort_present,
        "no_driving_acknowledged": no_driving_acknowledged,
        # REFERENCE.md section 6 "Safety" and "Mobility": recorded, and any finding decided.
        "exit_check_recorded": exit_check is not None,
        "exit_check_open_finding": exit_check is not None
        and bool(exit_check_findings(exit_check))
        and exit_check.physician_decision != ExitDecision.MAY_LEAVE,
    }


#: The exit check's questions (REFERENCE.md section 6, "Safety" and "Mobility"): the answer
#: that is a positive finding, and how the finding reads.
EXIT_CHECK_FINDINGS: tuple[tuple[str, bool, str], ...] = (
    ("new_suicidal_ideation", True, "new suicidal ideation"),
    ("mood_elevation", True, "mood elevation still present"),
    ("perceptual_change", True, "perceptual change still present"),
    ("walks_steadily", False, "does not walk steadily without help"),
    ("nausea_or_dizziness", True, "significant nausea or dizziness"),
)


def exit_check_findings(check: ExitCheck) -> list[str]:
    """The positive findings of an exit check, in Keel's words (empty: none)."""
    return [
        label for name, positive, label in EXIT_CHECK_FINDINGS if getattr(check, name) is positive
    ]


@dataclass(frozen=True, slots=True)
class UnmetCriterion:
    """One discharge criterion not met yet, in words, and whether anyone may override it."""

    rule_id: str
    label: str
    message: str
    floor: SafetyFloor | None
    overridable: bool
    #: For a time criterion (observation time, MOAA/S watch): when it will be met.
    met_at: dt.datetime | None = None


#: The time facts of the discharge criteria and the session time each one counts from.
_TIME_FACT_START = {
    "minutes_since_infusion_end": "infusion_ended_at",
    "minutes_since_dose_start": "dose_started_at",
}


def criterion_met_at(session: TreatmentSession, finding: Finding) -> dt.datetime | None:
    """When a time criterion (``minutes since ... < parameter``) will be met, else None.

    The rule reads one time fact and one parameter (the protocol's resolved value, as the
    finding used it); the criterion is met that many minutes after the fact's start time.
    """
    facts = [name for name in finding.facts_used if name in _TIME_FACT_START]
    minutes = [
        v
        for v in finding.params_used.values()
        if isinstance(v, int | float | Decimal) and not isinstance(v, bool)
    ]
    if len(facts) != 1 or len(minutes) != 1:
        return None
    start: dt.datetime | None = getattr(session, _TIME_FACT_START[facts[0]])
    if start is None:
        return None
    return start + dt.timedelta(minutes=float(minutes[0]))


def discharge_unmet(
    *,
    session: TreatmentSession,
    now: dt.datetime,
    escort_present: bool,
    no_driving_acknowledged: bool,
) -> list[UnmetCriterion]:
    """The discharge criteria not met now (empty: every criterion is met).

    A criterion that is a safety floor (``keel.clinical.protocol.floors``)
    carries it, and is never overridable.
    """
    protocol, _params = session_protocol(session)
    facts = discharge_facts(
        session=session,
        now=now,
        escort_present=escort_present,
        no_driving_acknowledged=no_driving_acknowledged,
    )
    readiness = discharge_readiness(evaluate(protocol, facts, kinds=[RuleKind.DISCHARGE]))
    return [
        UnmetCriterion(
            rule_id=finding.rule_id,
            label=plain_title(finding.title),
            message=finding.message,
            floor=FLOOR_RULE_IDS.get(finding.rule_id),
            overridable=finding.overridable,
            met_at=criterion_met_at(session, finding),
        )
        for finding in readiness.unmet
    ]


def plain_title(title: str) -> str:
    """A rule title without its parameter names: "a_b: sedation ..." -> "Sedation ..."."""
    words = title.split(": ", 1)[-1]
    return words[:1].upper() + words[1:]
