"""Writes for intake: the evaluation draft, baseline ratings, the eligibility decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import IntakePerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.intake.models import (
    AntimanicAgent,
    DecisionOutcome,
    EligibilityDecision,
    Evaluation,
    EvaluationStatus,
)
from keel.intake.permissions import OBJECT_TYPE
from keel.intake.protocols import protocol_for_clinic
from keel.intake.review import jsonable, review_run
from keel.intake.selectors import BASELINE_INSTRUMENTS, evaluation_draft, evaluation_facts
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.monitoring.services import assessment_record
from keel.patients.models import Patient

EDITABLE_FIELDS: frozenset[str] = frozenset(
    f.name
    for f in Evaluation._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name
    not in {"id", "patient", "status", "created_at", "updated_at", "created_by", "updated_by"}
)
MIN_REASON_CHARS = 10


def evaluation_start(*, actor: Actor, patient: Patient) -> Evaluation:
    """Return the patient's open draft, starting one if there is none."""
    draft = evaluation_draft(patient=patient)
    if draft is not None:
        return draft
    evaluation = Evaluation(patient=patient, created_by=actor.user, updated_by=actor.user)
    with transaction.atomic():
        evaluation.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=evaluation.pk,
            patient_id=patient.pk,
        )
    return evaluation


LEVEL_DATE_FIELDS: tuple[str, ...] = ("lithium_level_date", "valproate_level_date")


def _check_level_dates(evaluation: Evaluation) -> None:
    """A blood level cannot be dated after today (the protocol reads its age in days)."""
    today = timezone.localdate()
    future = {
        name: ["The date of a level cannot be in the future."]
        for name in LEVEL_DATE_FIELDS
        if (day := getattr(evaluation, name)) is not None and day > today
    }
    if future:
        raise ValidationError(future)


def evaluation_update(
    *, actor: Actor, evaluation: Evaluation, fields: Mapping[str, object]
) -> Evaluation:
    """Change answers of a draft evaluation; a decided evaluation is never changed."""
    if evaluation.status != EvaluationStatus.DRAFT:
        raise Conflict("This evaluation has a decision; start a new evaluation to change answers.")
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["This field cannot be set."] for name in unknown})
    if "antimanic_agents" in fields:
        agents = fields["antimanic_agents"]
        if not isinstance(agents, Sequence) or isinstance(agents, str):
            raise ValidationFailed({"antimanic_agents": ["Give a list of medicine names."]})
        bad = sorted({str(a) for a in agents} - set(AntimanicAgent.values))
        if bad:
            raise ValidationFailed(
                {
                    "antimanic_agents": [
                        f"Unknown: {', '.join(bad)}. Choose from the listed medicines."
                    ]
                }
            )
    before = {name: getattr(evaluation, name) for name in EDITABLE_FIELDS}
    changed = []
    for name, value in fields.items():
        if name == "antimanic_agents":
            value = sorted(set(value))  # type: ignore[call-overload]  # checked above
        if isinstance(value, str):
            value = value.strip()
        if getattr(evaluation, name) != value:
            setattr(evaluation, name, value)
            changed.append(name)
    if not changed:
        return evaluation
    try:
        evaluation.full_clean(exclude=["patient", "created_by", "updated_by"])
        _check_level_dates(evaluation)
    except ValidationError as exc:
        for name, value in before.items():
            setattr(evaluation, name, value)
        raise ValidationFailed(exc.message_dict) from exc
    evaluation.updated_by = actor.user
    with transaction.atomic():
        evaluation.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=evaluation.pk,
            patient_id=evaluation.patient_id,
            detail={"fields": sorted(changed)},
        )
    return evaluation


def baseline_rating_record(
    *, actor: Actor, patient: Patient, instrument_id: str, answers: Sequence[object]
) -> Assessment:
    """Record one baseline rating for the evaluation (scored by the instrument library)."""
    if instrument_id not in BASELINE_INSTRUMENTS:
        raise ValidationFailed(
            {"instrument_id": [f"Baseline ratings are {', '.join(BASELINE_INSTRUMENTS)}."]}
        )
    return assessment_record(
        actor=actor,
        patient=patient,
        instrument_id=instrument_id,
        answers=answers,
        purpose=AssessmentPurpose.BASELINE,
    )


def eligibility_decide(
    *,
    actor: Actor,
    patient: Patient,
    outcome: DecisionOutcome,
    overrides: Mapping[str, str] | None = None,
    note: str = "",
    treatment_plan: str = "",
    mood_stabilizer_plan: str = "",
) -> EligibilityDecision:
    """Record the physician's decision on the current draft evaluation, with its provenance.

    Eligible needs: no hard stop, no undecided exclusion or requirement, and a
    written reason for every overridable exclusion or requirement that fired.
    Not eligible and deferred need a note, and so does any decision while a caution that
    asks for something "before eligibility is decided" has fired (what was done).
    """
    if not actor.has(IntakePerm.DECIDE_ELIGIBILITY):
        raise PermissionDenied("Only physicians decide eligibility.")
    evaluation = evaluation_draft(patient=patient)
    if evaluation is None:
        raise Conflict("There is no open evaluation to decide on.")
    overrides = {k: v.strip() for k, v in (overrides or {}).items()}
    facts = evaluation_facts(evaluation=evaluation)
    review = review_run(protocol=protocol_for_clinic(patient.clinic_id), facts=facts)
    errors: dict[str, list[str]] = {}
    overridable_ids = {f.rule_id for f in review.overridable}
    for rule_id in sorted(set(overrides) - overridable_ids):
        errors[f"overrides.{rule_id}"] = ["No overridable finding with this rule id fired."]
    if outcome == DecisionOutcome.ELIGIBLE:
        if review.hard_stops:
            titles = "; ".join(f.title for f in review.hard_stops)
            raise Conflict(f"Cannot be accepted, and cannot be overridden: {titles}.")
        if review.missing_blocking:
            titles = "; ".join(f.title for f in review.missing_blocking)
            raise Conflict(f"Complete the evaluation first; these cannot be decided yet: {titles}.")
        if len(treatment_plan.strip()) < MIN_REASON_CHARS:
            errors["treatment_plan"] = [
                "Describe the proposed plan for the psychiatrist of record."
            ]
        if len(mood_stabilizer_plan.strip()) < MIN_REASON_CHARS:
            errors["mood_stabilizer_plan"] = ["Describe how mood-stabilizing treatment continues."]
        for finding in review.overridable:
            if len(overrides.get(finding.rule_id, "")) < MIN_REASON_CHARS:
                errors[f"overrides.{finding.rule_id}"] = [
                    f"Write why the patient is accepted despite: {finding.title}."
                ]
    elif len(note.strip()) < MIN_REASON_CHARS:
        errors["note"] = ["Write the reason for this decision (at least a sentence)."]
    if review.cautions_before_deciding and len(note.strip()) < MIN_REASON_CHARS:
        titles = "; ".join(f.title for f in review.cautions_before_deciding)
        errors["note"] = [
            f"Record what was done before deciding (the caution asks for it first): {titles}."
        ]
    if errors:
        raise ValidationFailed(errors)
    decision = EligibilityDecision(
        patient=patient,
        evaluation=evaluation,
        outcome=outcome,
        note=note.strip(),
        treatment_plan=treatment_plan.strip(),
        mood_stabilizer_plan=mood_stabilizer_plan.strip(),
        overrides=overrides if outcome == DecisionOutcome.ELIGIBLE else {},
        protocol_id=review.protocol.id,
        protocol_version=str(review.protocol.version),
        facts=jsonable(facts),
        params={},
        findings=jsonable(list(review.findings)),
        fired_rule_ids=review.fired_rule_ids,
        decided_by=actor.user,
        decided_at=timezone.now(),
    )
    with transaction.atomic():
        decision.save()
        evaluation.status = EvaluationStatus.DECIDED
        evaluation.updated_by = actor.user
        evaluation.save(update_fields=["status", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="eligibility_decision",
            object_id=decision.pk,
            patient_id=patient.pk,
            detail={
                "outcome": str(outcome),
                "protocol": f"{decision.protocol_id}@{decision.protocol_version}",
                "fired": decision.fired_rule_ids,
                "overridden": sorted(decision.overrides),
            },
        )
    return decision
