"""Chairside services: go / no-go, dose with second verification, stop rules, discharge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.clinical.protocol import Finding, RuleKind, evaluate
from keel.clinical.sessions import (
    DoseError,
    DosePlan,
    OverrideRefused,
    PrecheckDecision,
    StopAction,
    compute_dose,
    discharge_readiness,
    precheck_outcome,
    stop_actions,
)
from keel.common.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.intake.review import facts_from_json, jsonable
from keel.inventory.services import administration_record, dose_lot_check
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.monitoring.services import assessment_record
from keel.treatment.clinical import (
    FactValue,
    criterion_met_at,
    discharge_facts,
    monitoring_facts,
    plain_title,
    precheck_facts,
    session_protocol,
)
from keel.treatment.models import (
    DoseAdministration,
    PrecheckOutcomeChoice,
    PreSessionCheck,
    Route,
    SessionEvent,
    SessionEventKind,
    SessionState,
    TreatmentSession,
    VitalSigns,
)
from keel.treatment.services.safety import exit_check_gate
from keel.treatment.services.sessions import (
    MIN_REASON_CHARS,
    _require,
    _transition,
    session_consent_require,
    vitals_record,
)

CHECKLIST_FACTS: tuple[str, ...] = (
    "weight_kg",
    "escort_confirmed",
    "fasting_confirmed",
    "pregnancy_status",
    "med_change_benzodiazepine",
    "med_change_lamotrigine_dose",
    "med_change_stimulant",
    "med_change_maoi",
    "adverse_event_since_last",
    "acute_intoxication",
)
#: The states in which a new reading runs the stop rules.
_STOP_RULE_STATES = frozenset({SessionState.DOSING, SessionState.MONITORING, SessionState.RECOVERY})
SESSION_RATINGS: tuple[str, ...] = (
    "ymrs",
    "asrm",
    "cssrs_since_last_visit",
    "madrs",
    "moaas",
    "cadss",
)


def precheck_record(
    *, actor: Actor, session: TreatmentSession, answers: Mapping[str, FactValue]
) -> PreSessionCheck:
    """Run the go / no-go rules on today's vitals, ratings and checklist; store the result.

    An incomplete checklist is refused (422 naming what is missing): the
    protocol never answers "go" on missing information.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.state != SessionState.PRE_CHECKS:
        raise Conflict("The go / no-go checklist is recorded during the pre-session checks.")
    session_consent_require(session=session)
    unknown = sorted(set(answers) - set(CHECKLIST_FACTS))
    if unknown:
        raise ValidationFailed({name: ["Not a checklist question."] for name in unknown})
    protocol, params = session_protocol(session)
    facts = precheck_facts(session=session, answers=answers, params=params)
    findings = evaluate(protocol, facts, kinds=[RuleKind.PRECHECK])
    outcome = precheck_outcome(findings)
    if outcome.decision == PrecheckDecision.INCOMPLETE:
        missing = sorted({name for f in outcome.missing for name in f.missing_facts})
        raise ValidationFailed(
            {name: ["Needed before the go / no-go decision."] for name in missing}
        )
    check = PreSessionCheck(
        session=session,
        outcome=PrecheckOutcomeChoice(outcome.decision.value),
        protocol_id=protocol.id,
        protocol_version=str(protocol.version),
        facts=jsonable(facts),
        findings=jsonable(list(findings)),
        fired_rule_ids=[f.rule_id for f in findings if f.fired],
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    with transaction.atomic():
        check.save()
        SessionEvent.objects.create(
            session=session,
            kind=SessionEventKind.NOTE,
            text=f"Go / no-go: {check.get_outcome_display()}",
            data={"fired": check.fired_rule_ids},
            recorded_by=actor.user,
            recorded_at=check.recorded_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="pre_session_check",
            object_id=check.pk,
            patient_id=session.patient_id,
            detail={"outcome": check.outcome, "fired": check.fired_rule_ids},
        )
    return check


def _override_refused(
    *, actor: Actor, session: TreatmentSession, exc: OverrideRefused, object_type: str
) -> Conflict:
    """Audit a refused override as a denied attempt; return the 409 naming the rule."""
    audit_denied(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=object_type,
        object_id=session.pk,
        patient_id=session.patient_id,
        detail={
            "override_refused": exc.rule_id,
            "safety_floor": exc.floor.id if exc.floor is not None else "",
        },
    )
    if exc.floor is not None:
        return Conflict(
            f"{exc.floor.title} is a safety floor ({exc.floor.limit}); no one can override "
            f"it. Rule {exc.rule_id}: the facts must change first."
        )
    return Conflict(str(exc))


def precheck_physician_decide(
    *, actor: Actor, check: PreSessionCheck, rule_ids: Collection[str], reason: str
) -> PreSessionCheck:
    """A physician overrides (or acknowledges) fired rules with a written reason.

    Rules the protocol marks not overridable are refused (the blood-pressure
    hard hold lifts only on a later re-checked reading below it).
    """
    _require(actor, TreatmentPerm.PHYSICIAN_DECISIONS)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write the reason for the decision."]})
    protocol, _params = session_protocol(check.session)
    findings = evaluate(protocol, facts_from_json(protocol, check.facts), kinds=[RuleKind.PRECHECK])
    try:
        outcome = precheck_outcome(findings, overridden=rule_ids)
    except OverrideRefused as exc:
        raise _override_refused(
            actor=actor, session=check.session, exc=exc, object_type="pre_session_check"
        ) from exc
    with transaction.atomic():
        check.physician = actor.user
        check.physician_decided_at = timezone.now()
        check.physician_override_reason = reason.strip()
        check.outcome = PrecheckOutcomeChoice(outcome.decision.value)
        check.save(
            update_fields=[
                "physician",
                "physician_decided_at",
                "physician_override_reason",
                "outcome",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="pre_session_check",
            object_id=check.pk,
            patient_id=check.session.patient_id,
            detail={"overridden": sorted(rule_ids), "outcome": check.outcome},
        )
    return check


def session_rating_record(
    *, actor: Actor, session: TreatmentSession, instrument_id: str, answers: list[int | None]
) -> Assessment:
    """A rating taken in the session (tagged acute post-dose once the dose has started)."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if instrument_id not in SESSION_RATINGS:
        raise ValidationFailed(
            {"instrument_id": [f"Session ratings are {', '.join(SESSION_RATINGS)}."]}
        )
    if session.state == SessionState.SCHEDULED or session.is_over:
        raise Conflict("Ratings are recorded from check-in to discharge.")
    dosed = session.dose_started_at is not None
    rating = assessment_record(
        actor=actor,
        patient=session.patient,
        instrument_id=instrument_id,
        answers=answers,
        purpose=AssessmentPurpose.IN_SESSION if dosed else AssessmentPurpose.PRE_SESSION,
        acute_post_dose=dosed,
    )
    if instrument_id == "moaas" and session.state in _STOP_RULE_STATES and rating.total is not None:
        # The sedation stop rules run on the MOAA/S score at once (no vitals facts).
        stop_rules_check(actor=actor, session=session, latest=None, moaas=int(rating.total))
    return rating


def dose_prepare(
    *,
    actor: Actor,
    session: TreatmentSession,
    weight_kg: Decimal | None,
    concentration_mg_per_ml: Decimal,
    lot: str,
) -> DoseAdministration:
    """Compute today's dose from the plan and weight (the arithmetic is stored) and start dosing."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    check = session.prechecks.order_by("-recorded_at", "-pk").first()
    if check is None or check.outcome != PrecheckOutcomeChoice.GO:
        raise Conflict(
            "Dosing needs a 'go' from the pre-session checks (or a physician's override)."
        )
    course = session.course
    _protocol, params = session_protocol(session)
    plan = DosePlan(mg_per_kg=course.dose_mg_per_kg, fixed_mg=course.esketamine_dose_mg)
    try:
        calculation = compute_dose(course.route, plan, weight_kg, params)
    except DoseError as exc:
        raise ValidationFailed({"weight_kg": [str(exc)]}) from exc
    errors: dict[str, list[str]] = {}
    if concentration_mg_per_ml <= 0:
        errors["concentration_mg_per_ml"] = ["Must be above 0."]
    if not lot.strip():
        errors["lot"] = ["Record the lot number."]
    if errors:
        raise ValidationFailed(errors)
    volume = (calculation.dose_mg / concentration_mg_per_ml).quantize(Decimal("0.01"))
    dose = DoseAdministration(
        session=session,
        route=course.route,
        drug="esketamine"
        if course.route == "intranasal_esketamine"
        else "ketamine hydrochloride (racemic)",
        concentration_mg_per_ml=concentration_mg_per_ml,
        lot=lot.strip(),
        dosing_weight_kg=calculation.dosing_weight_kg,
        dose_mg=calculation.dose_mg,
        volume_ml=volume,
        calculation=[
            *calculation.lines,
            f"{calculation.dose_mg} mg ÷ {concentration_mg_per_ml} mg/mL = {volume} mL",
        ],
        prepared_by=actor.user,
        prepared_at=timezone.now(),
    )
    # The lot must be able to supply this dose now, not only when administration starts.
    dose_lot_check(dose=dose)
    with transaction.atomic():
        session = _transition(actor=actor, session=session, to=SessionState.DOSING)
        dose.session = session
        dose.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="dose",
            object_id=dose.pk,
            patient_id=session.patient_id,
            detail={"dose_mg": str(dose.dose_mg)},
        )
    return dose


def dose_verify(*, actor: Actor, dose: DoseAdministration) -> DoseAdministration:
    """A second clinician independently checks the dose (high-alert medicine)."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if dose.prepared_by_id == actor.user_id:
        raise PermissionDenied("The second check must be done by another clinician.")
    if dose.verified_at is not None:
        raise Conflict("The dose is already verified.")
    with transaction.atomic():
        dose.verified_by = actor.user
        dose.verified_at = timezone.now()
        dose.save(update_fields=["verified_by", "verified_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="dose",
            object_id=dose.pk,
            patient_id=dose.session.patient_id,
            detail={"verified": True},
        )
    return dose


def dose_start(*, actor: Actor, dose: DoseAdministration) -> TreatmentSession:
    """Administration starts: the monitoring clock runs from now."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if dose.verified_at is None:
        raise Conflict("A second clinician must verify the dose before it is given.")
    now = timezone.now()
    with transaction.atomic():
        session = _transition(
            actor=actor,
            session=dose.session,
            to=SessionState.MONITORING,
            fields={"dose_started_at": now},
        )
        dose.started_at = now
        dose.administered_by = actor.user
        dose.save(update_fields=["started_at", "administered_by"])
        # The controlled-substance ledger: the dose volume leaves the lot's balance.
        administration_record(actor=actor, dose=dose)
    return session


#: What the nurse did about a stop event; recording one closes the event.
STOP_EVENT_ACTIONS: dict[str, str] = {
    "paused": "Infusion paused",
    "restarted": "Infusion restarted",
    "stopped": "Infusion stopped",
    "physician_called": "Physician called",
    "treatment_given": "Treatment given",
}


def stop_events_open(
    *, session: TreatmentSession, severity: str | None = None
) -> list[SessionEvent]:
    """The session's stop events still waiting for the action taken, newest first."""
    events = session.events.filter(kind=SessionEventKind.STOP_RULE, data__open=True)
    if severity is not None:
        events = events.filter(data__severity=severity)
    return list(events.order_by("-recorded_at", "-pk"))


def _emergency_stop_gate(session: TreatmentSession, step: str) -> None:
    """409 naming an open emergency (critical) stop: its action is recorded first."""
    emergencies = stop_events_open(session=session, severity="critical")
    if emergencies:
        names = "; ".join(e.text.split(":")[0] for e in emergencies)
        raise Conflict(
            f"{step} waits until the emergency stop is dealt with: {names}. "
            "Record the action taken first."
        )


def dose_stop(*, actor: Actor, session: TreatmentSession, reason: str = "") -> TreatmentSession:
    """The infusion (or last device) ended; recovery observation begins.

    Stopping the drug is never blocked: the real stop time is stored first. Ending an IV
    infusion before its planned time needs ``reason``; with an emergency stop open the
    session stays in monitoring (409 naming it) until the nurse records the action taken.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if session.state != SessionState.MONITORING:
        return _transition(actor=actor, session=session, to=SessionState.RECOVERY)  # 409
    now = timezone.now()
    ended = session.infusion_ended_at or now
    _protocol, params = session_protocol(session)
    planned = params.iv_ketamine_infusion_minutes
    early = (
        session.infusion_ended_at is None
        and session.course.route == Route.IV_RACEMIC_KETAMINE
        and session.dose_started_at is not None
        and ended < session.dose_started_at + timedelta(minutes=planned)
    )
    reason = reason.strip()
    if early and len(reason) < MIN_REASON_CHARS:
        raise ValidationFailed(
            {
                "reason": [
                    f"The infusion is planned for {planned} minutes: write why it ended early."
                ]
            }
        )
    if session.infusion_ended_at is None:
        with transaction.atomic():
            # The first stop time recorded stands (two clinicians pressing at once).
            TreatmentSession.objects.filter(pk=session.pk, infusion_ended_at__isnull=True).update(
                infusion_ended_at=now
            )
            DoseAdministration.objects.filter(session=session, stopped_at__isnull=True).update(
                stopped_at=now
            )
            SessionEvent.objects.create(
                session=session,
                kind=SessionEventKind.INTERVENTION,
                text="Infusion stopped" + (f" early: {reason}" if early else ""),
                data={"infusion_ended_at": now.isoformat(), "early": early},
                recorded_by=actor.user,
                recorded_at=now,
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="dose",
                object_id=session.pk,
                patient_id=session.patient_id,
                detail={"infusion_ended": True, "early": early},
            )
        session.infusion_ended_at = now
    _emergency_stop_gate(session, "Recovery")
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.RECOVERY,
        fields={"infusion_ended_at": ended},
    )


def stop_rules_check(
    *,
    actor: Actor,
    session: TreatmentSession,
    latest: VitalSigns | None,
    moaas: int | None = None,
    apnoea: bool = False,
    symptoms: bool = False,
) -> list[StopAction]:
    """Evaluate the stop / pause rules on the newest readings; record each fired rule.

    A rule that fires again while its stop event is open folds into that event (its count
    and last time go up) instead of adding a line; once the action taken is recorded, the
    next firing opens a new event.
    """
    protocol, params = session_protocol(session)
    facts = monitoring_facts(
        session=session,
        latest=latest,
        moaas=moaas,
        apnoea=apnoea,
        symptoms=symptoms,
        protocol=protocol,
    )
    actions = stop_actions(evaluate(protocol, facts, kinds=[RuleKind.STOP]), params)
    now = timezone.now()
    with transaction.atomic():
        for action in actions:
            event = (
                SessionEvent.objects.select_for_update()
                .filter(
                    session=session,
                    kind=SessionEventKind.STOP_RULE,
                    rule_id=action.rule_id,
                    data__open=True,
                )
                .first()
            )
            if event is not None:
                event.data = {
                    **event.data,
                    "count": int(event.data.get("count", 1)) + 1,
                    "last_at": now.isoformat(),
                }
                event.save(update_fields=["data"])
                continue
            event = SessionEvent.objects.create(
                session=session,
                kind=SessionEventKind.STOP_RULE,
                rule_id=action.rule_id,
                text=f"{action.title}: {action.action}",
                data={
                    "severity": str(action.severity),
                    "open": True,
                    "count": 1,
                    "last_at": now.isoformat(),
                },
                recorded_by=actor.user,
                recorded_at=now,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="stop_event",
                object_id=event.pk,
                patient_id=session.patient_id,
                detail={"rule_id": action.rule_id, "severity": str(action.severity)},
            )
    return actions


def stop_event_act(
    *,
    actor: Actor,
    session: TreatmentSession,
    event_id: int,
    action: str,
    acted_at: dt.datetime | None = None,
    note: str = "",
) -> SessionEvent:
    """The nurse records the action taken on an open stop event, which closes it."""
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if action not in STOP_EVENT_ACTIONS:
        raise ValidationFailed({"action": [f"Choose one of: {', '.join(STOP_EVENT_ACTIONS)}."]})
    now = timezone.now()
    acted_at = acted_at or now
    with transaction.atomic():
        event = (
            SessionEvent.objects.select_for_update()
            .filter(session=session, kind=SessionEventKind.STOP_RULE, pk=event_id)
            .first()
        )
        if event is None:
            raise NotFound("No such stop event in this session.")
        if not event.data.get("open"):
            raise Conflict("The action taken on this stop event is already recorded.")
        if acted_at > now + timedelta(minutes=1):
            raise ValidationFailed({"acted_at": ["The time cannot be in the future."]})
        if acted_at < event.recorded_at - timedelta(minutes=1):
            raise ValidationFailed({"acted_at": ["The time is before the rule fired."]})
        note = note.strip()
        event.data = {
            **event.data,
            "open": False,
            "action": action,
            "action_at": acted_at.isoformat(),
            "action_by": actor.user.pk,
            "action_note": note,
        }
        event.save(update_fields=["data"])
        SessionEvent.objects.create(
            session=session,
            kind=SessionEventKind.INTERVENTION,
            rule_id=event.rule_id,
            text=f"{STOP_EVENT_ACTIONS[action]} ({event.text.split(':')[0]})"
            + (f": {note}" if note else ""),
            data={"stop_event": event.pk, "action": action, "acted_at": acted_at.isoformat()},
            recorded_by=actor.user,
            recorded_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="stop_event",
            object_id=event.pk,
            patient_id=session.patient_id,
            detail={"action": action, "rule_id": event.rule_id},
        )
    return event


def session_discharge(
    *,
    actor: Actor,
    session: TreatmentSession,
    escort_present: bool,
    no_driving_acknowledged: bool,
    escort_name: str,
    overridden: Collection[str] = (),
    reason: str = "",
) -> TreatmentSession:
    """Discharge only when every criterion is met (or a physician overrode the ones allowed).

    ``escort_name`` is the adult who takes the patient home, recorded at the hand-off.
    """
    _require(actor, TreatmentPerm.RUN_SESSIONS)
    if overridden:
        _require(actor, TreatmentPerm.PHYSICIAN_DECISIONS)
        if len(reason.strip()) < MIN_REASON_CHARS:
            raise ValidationFailed({"reason": ["Write why the criteria are overridden."]})
    protocol, _params = session_protocol(session)
    now = timezone.now()
    facts = discharge_facts(
        session=session,
        now=now,
        escort_present=escort_present,
        no_driving_acknowledged=no_driving_acknowledged,
    )
    try:
        readiness = discharge_readiness(
            evaluate(protocol, facts, kinds=[RuleKind.DISCHARGE]), overridden=overridden
        )
    except OverrideRefused as exc:
        raise _override_refused(
            actor=actor, session=session, exc=exc, object_type="discharge"
        ) from exc
    if not readiness.ready:
        unmet = "; ".join(_unmet_words(session, f) for f in readiness.unmet)
        raise Conflict(f"Discharge refused until every criterion is met: {unmet}.")
    escort_name = escort_name.strip()
    if not escort_name:
        raise ValidationFailed(
            {"escort_name": ["Write the name of the adult taking the patient home."]}
        )
    # The exit check (REFERENCE.md section 6) is the protocol rule discharge.safety.exit_check,
    # read with the other criteria above; _unmet_words says what holds it.
    _emergency_stop_gate(session, "Discharge")
    return _transition(
        actor=actor,
        session=session,
        to=SessionState.DISCHARGED,
        fields={"discharged_at": now, "discharge_escort_name": escort_name},
        note=f"Discharged to the care of {escort_name}"
        + (
            f" (overridden: {', '.join(sorted(overridden))}: {reason.strip()})"
            if overridden
            else ""
        ),
    )


EXIT_CHECK_RULE = "discharge.safety.exit_check"


def _unmet_words(session: TreatmentSession, finding: Finding) -> str:
    """An unmet criterion in words; the exit check says what holds it, a time when it is met."""
    if finding.rule_id == EXIT_CHECK_RULE:
        try:
            exit_check_gate(session=session)
        except Conflict as exc:
            return exc.message.rstrip(".")
    words = plain_title(finding.title).lower()
    met_at = criterion_met_at(session, finding)
    if met_at is not None:
        clinic = session.patient.clinic
        local = timezone.localtime(met_at, clinic.tzinfo)
        words += f" (met at {local:%H:%M}, {clinic.time_zone})"
    return words


def vitals_record_checked(
    *, actor: Actor, session: TreatmentSession, **values: object
) -> tuple[VitalSigns, list[StopAction]]:
    """Record vitals; after the dose has started, run the stop rules on them at once."""
    vitals = vitals_record(actor=actor, session=session, **values)  # type: ignore[arg-type]  # keyword pass-through
    actions: list[StopAction] = []
    if session.state in _STOP_RULE_STATES:
        actions = stop_rules_check(actor=actor, session=session, latest=vitals)
    return vitals, actions
