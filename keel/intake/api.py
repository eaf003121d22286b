"""/api/v1/intake: the evaluation, baseline ratings, findings and the eligibility decision."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Status

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import IntakePerm
from keel.audit.models import AuditAction
from keel.common.schemas import ERROR_RESPONSES
from keel.intake.forms import EVALUATION_FIELDS
from keel.intake.models import DecisionOutcome, EligibilityDecision, Evaluation
from keel.intake.permissions import access_patient_intake
from keel.intake.protocols import protocol_for_clinic
from keel.intake.review import jsonable, review_run
from keel.intake.schemas import (
    AssessmentOut,
    BaselineRatingIn,
    DecisionIn,
    DecisionOut,
    EvaluationOut,
    EvaluationUpdateIn,
    FindingOut,
    IntakeOut,
    SectionOut,
)
from keel.intake.selectors import (
    decision_list,
    evaluation_current,
    evaluation_facts,
    evaluation_progress,
)
from keel.intake.services import (
    baseline_rating_record,
    eligibility_decide,
    evaluation_start,
    evaluation_update,
)
from keel.monitoring.models import Assessment

router = Router()

PatientId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS = ERROR_RESPONSES


def _evaluation_out(evaluation: Evaluation) -> EvaluationOut:
    answers: dict[str, Any] = {
        name: jsonable(getattr(evaluation, name)) for name in EVALUATION_FIELDS
    }
    return EvaluationOut(
        id=evaluation.pk,
        status=evaluation.status,
        answers=answers,
        updated_at=evaluation.updated_at,
    )


def _decision_out(decision: EligibilityDecision) -> DecisionOut:
    return DecisionOut(
        id=decision.pk,
        outcome=decision.outcome,
        note=decision.note,
        treatment_plan=decision.treatment_plan,
        mood_stabilizer_plan=decision.mood_stabilizer_plan,
        overrides=decision.overrides,
        protocol_id=decision.protocol_id,
        protocol_version=decision.protocol_version,
        fired_rule_ids=decision.fired_rule_ids,
        facts=decision.facts,
        decided_by=decision.decided_by.get_username(),
        decided_at=decision.decided_at,
    )


@router.get(
    "/patients/{patient_id}", response={200: IntakeOut, **ERRORS}, operation_id="intake_get"
)
def intake_get_api(request: HttpRequest, patient_id: PatientId) -> IntakeOut:
    """The patient's evaluation, its completeness, the protocol's findings and the decisions."""
    patient = access_patient_intake(actor=_actor(request), patient_id=patient_id)
    evaluation = evaluation_current(patient=patient)
    progress: list[SectionOut] = []
    findings: list[FindingOut] = []
    protocol_id = protocol_version = None
    if evaluation is not None:
        facts = evaluation_facts(evaluation=evaluation)
        progress = [
            SectionOut(title=s.title, answered=s.answered, total=s.total, missing=list(s.missing))
            for s in evaluation_progress(evaluation=evaluation, facts=facts)
        ]
        review = review_run(protocol=protocol_for_clinic(patient.clinic_id), facts=facts)
        protocol_id, protocol_version = review.protocol.id, str(review.protocol.version)
        findings = [FindingOut.model_validate(jsonable(f)) for f in review.findings]
    return IntakeOut(
        patient_id=patient.pk,
        evaluation=None if evaluation is None else _evaluation_out(evaluation),
        progress=progress,
        protocol_id=protocol_id,
        protocol_version=protocol_version,
        findings=findings,
        decisions=[_decision_out(d) for d in decision_list(patient=patient)],
    )


@router.patch(
    "/patients/{patient_id}/evaluation",
    response={200: EvaluationOut, **ERRORS},
    operation_id="evaluation_update",
)
def evaluation_update_api(
    request: HttpRequest, patient_id: PatientId, payload: EvaluationUpdateIn
) -> EvaluationOut:
    """Change answers of the draft evaluation (a draft is started if there is none)."""
    actor = _actor(request)
    patient = access_patient_intake(
        actor=actor,
        patient_id=patient_id,
        need=IntakePerm.EDIT_EVALUATION,
        action=AuditAction.UPDATE,
    )
    evaluation = evaluation_start(actor=actor, patient=patient)
    fields = payload.model_dump(exclude_unset=True)
    for name, value in list(fields.items()):
        if value is None and name not in _NULLABLE:
            fields[name] = [] if name == "antimanic_agents" else ""
    evaluation = evaluation_update(actor=actor, evaluation=evaluation, fields=fields)
    return _evaluation_out(evaluation)


_NULLABLE = frozenset(name for name in EVALUATION_FIELDS if Evaluation._meta.get_field(name).null)


@router.post(
    "/patients/{patient_id}/ratings",
    response={201: AssessmentOut, **ERRORS},
    operation_id="baseline_rating_record",
)
def baseline_rating_record_api(
    request: HttpRequest, patient_id: PatientId, payload: BaselineRatingIn
) -> Status[Assessment]:
    """Record a baseline rating, scored by Keel's instrument library."""
    actor = _actor(request)
    patient = access_patient_intake(
        actor=actor,
        patient_id=patient_id,
        need=IntakePerm.EDIT_EVALUATION,
        action=AuditAction.CREATE,
    )
    assessment = baseline_rating_record(
        actor=actor, patient=patient, instrument_id=payload.instrument_id, answers=payload.answers
    )
    return Status(201, assessment)


@router.post(
    "/patients/{patient_id}/decisions",
    response={201: DecisionOut, **ERRORS},
    operation_id="eligibility_decide",
)
def eligibility_decide_api(
    request: HttpRequest, patient_id: PatientId, payload: DecisionIn
) -> Status[DecisionOut]:
    """Record the eligibility decision (physicians) on the current draft evaluation."""
    actor = _actor(request)
    patient = access_patient_intake(
        actor=actor,
        patient_id=patient_id,
        need=IntakePerm.DECIDE_ELIGIBILITY,
        action=AuditAction.CREATE,
    )
    decision = eligibility_decide(
        actor=actor,
        patient=patient,
        outcome=DecisionOutcome(payload.outcome),
        overrides=payload.overrides,
        note=payload.note,
        treatment_plan=payload.treatment_plan,
        mood_stabilizer_plan=payload.mood_stabilizer_plan,
    )
    return Status(201, _decision_out(decision))
