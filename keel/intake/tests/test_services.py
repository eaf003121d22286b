"""The evaluation and the eligibility decision, through the services."""

from __future__ import annotations

import pytest

from conftest import World
from keel.clinical.protocol import FindingStatus, evaluate
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.intake.models import DecisionOutcome, EvaluationStatus
from keel.intake.protocols import protocol_for_clinic
from keel.intake.review import jsonable
from keel.intake.selectors import evaluation_facts, evaluation_progress
from keel.intake.services import eligibility_decide, evaluation_start, evaluation_update
from keel.intake.tests.helpers import complete_evaluation

pytestmark = pytest.mark.django_db

PLAN = {
    "treatment_plan": "IV racemic ketamine, six induction sessions.",
    "mood_stabilizer_plan": "Continue lithium; level before session one.",
}


def test_a_new_draft_has_every_question_missing(world: World) -> None:
    evaluation = evaluation_start(actor=world.actor("nurse_x"), patient=world.patient_a)
    facts = evaluation_facts(evaluation=evaluation)
    progress = evaluation_progress(evaluation=evaluation, facts=facts)
    assert all(not section.complete for section in progress)
    assert facts["psychosis_history"] is None
    assert facts["antimanic_agents"] is None


def test_draft_saves_partial_answers_and_audits_field_names(world: World) -> None:
    actor = world.actor("nurse_x")
    evaluation = evaluation_start(actor=actor, patient=world.patient_a)
    evaluation_update(actor=actor, evaluation=evaluation, fields={"psychosis_history": True})
    evaluation.refresh_from_db()
    assert evaluation.psychosis_history is True
    assert evaluation.status == EvaluationStatus.DRAFT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("icd10_code", "F32.1"),
        ("resting_systolic_bp", 20),
        ("lithium_level_mmol_l", "9.99"),
        ("antimanic_agents", ["unicorn"]),
        ("bipolar_type", "bipolar_iii"),
        ("mrn", "X"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(world: World, field: str, value: object) -> None:
    actor = world.actor("nurse_x")
    evaluation = evaluation_start(actor=actor, patient=world.patient_a)
    with pytest.raises(ValidationFailed) as info:
        evaluation_update(
            actor=actor, evaluation=evaluation, fields={field: value, "psychosis_history": True}
        )
    assert field in info.value.errors
    evaluation.refresh_from_db()
    assert evaluation.psychosis_history is None


def test_clean_evaluation_is_decided_eligible_with_provenance(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    decision = eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        **PLAN,
    )
    assert decision.protocol_id == "keel-default"
    assert decision.facts["lithium_level_mmol_l"] == "0.80"
    assert decision.evaluation.status == EvaluationStatus.DECIDED
    statuses = {f["status"] for f in decision.findings}
    assert "missing_information" not in statuses


def test_stored_facts_reproduce_the_stored_findings(world: World) -> None:
    """Re-running the protocol on a decision's facts gives the same findings."""
    evaluation = complete_evaluation(
        actor=world.actor("nurse_x"), patient=world.patient_a, psychosis_history=True
    )
    facts = evaluation_facts(evaluation=evaluation)
    decision = eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.DEFERRED,
        note="Waiting for the old psychiatric notes.",
    )
    protocol = protocol_for_clinic(world.clinic_x.pk)
    assert (protocol.id, str(protocol.version)) == (decision.protocol_id, decision.protocol_version)
    again = evaluate(
        protocol,
        facts,
        kinds=frozenset(
            k
            for k in {f.kind for f in protocol.rules}
            if k.value in {"exclusion", "requirement", "caution"}
        ),
    )
    assert jsonable(list(again)) == decision.findings
    assert "eligibility.psychosis.history" in decision.fired_rule_ids or any(
        "psychosis" in r for r in decision.fired_rule_ids
    )


def test_psychosis_history_needs_a_written_override_to_accept(world: World) -> None:
    complete_evaluation(
        actor=world.actor("nurse_x"), patient=world.patient_a, psychosis_history=True
    )
    physician = world.actor("physician_x")
    with pytest.raises(ValidationFailed) as info:
        eligibility_decide(
            actor=physician, patient=world.patient_a, outcome=DecisionOutcome.ELIGIBLE, **PLAN
        )
    rule_ids = [
        name.removeprefix("overrides.")
        for name in info.value.errors
        if name.startswith("overrides.")
    ]
    assert rule_ids and any("psychosis" in r for r in rule_ids)
    decision = eligibility_decide(
        actor=physician,
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        overrides=dict.fromkeys(
            rule_ids, "Single brief episode in 2009 on a stimulant; stable since."
        ),
        **PLAN,
    )
    assert set(decision.overrides) == set(rule_ids)


def test_elevated_episode_is_a_hard_stop(world: World) -> None:
    complete_evaluation(
        actor=world.actor("nurse_x"), patient=world.patient_a, current_episode="hypomanic"
    )
    with pytest.raises(Conflict, match="cannot be overridden"):
        eligibility_decide(
            actor=world.actor("physician_x"),
            patient=world.patient_a,
            outcome=DecisionOutcome.ELIGIBLE,
            overrides={},
            **PLAN,
        )


def test_missing_information_blocks_an_eligible_decision(world: World) -> None:
    actor = world.actor("nurse_x")
    evaluation = evaluation_start(actor=actor, patient=world.patient_a)
    evaluation_update(actor=actor, evaluation=evaluation, fields={"current_episode": "depressed"})
    with pytest.raises(Conflict, match="Complete the evaluation"):
        eligibility_decide(
            actor=world.actor("physician_x"),
            patient=world.patient_a,
            outcome=DecisionOutcome.ELIGIBLE,
            **PLAN,
        )


def test_only_physicians_decide(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    with pytest.raises(PermissionDenied):
        eligibility_decide(
            actor=world.actor("nurse_x"),
            patient=world.patient_a,
            outcome=DecisionOutcome.ELIGIBLE,
            **PLAN,
        )


def test_not_eligible_needs_a_note(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    with pytest.raises(ValidationFailed) as info:
        eligibility_decide(
            actor=world.actor("physician_x"),
            patient=world.patient_a,
            outcome=DecisionOutcome.NOT_ELIGIBLE,
        )
    assert "note" in info.value.errors


def test_lamotrigine_alone_does_not_meet_the_antimanic_requirement(world: World) -> None:
    evaluation = complete_evaluation(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        antimanic_agents=["lamotrigine"],
        lithium_level_mmol_l=None,
        lithium_level_date=None,
    )
    protocol = protocol_for_clinic(world.clinic_x.pk)
    findings = evaluate(protocol, evaluation_facts(evaluation=evaluation))
    fired = [f for f in findings if f.status == FindingStatus.FIRED]
    assert any("antimanic" in f.rule_id or "lamotrigine" in f.rule_id for f in fired)


def test_a_decided_evaluation_is_never_changed(world: World) -> None:
    evaluation = complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.DEFERRED,
        note="Want a repeat lithium level first.",
    )
    evaluation.refresh_from_db()
    with pytest.raises(Conflict):
        evaluation_update(
            actor=world.actor("nurse_x"), evaluation=evaluation, fields={"psychosis_history": True}
        )
    assert (
        evaluation_start(actor=world.actor("nurse_x"), patient=world.patient_a).pk != evaluation.pk
    )
