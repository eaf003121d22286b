"""precheck_outcome, stop_actions and discharge_readiness on the shipped protocol."""

from __future__ import annotations

import pytest

from keel.clinical.protocol import FindingStatus, RuleKind, Severity
from keel.clinical.sessions import (
    OverrideRefused,
    PrecheckDecision,
    discharge_readiness,
    precheck_outcome,
    stop_actions,
)
from keel.clinical.sessions.tests.helpers import (
    PRECHECK_GO,
    discharge,
    findings,
    monitoring,
    params,
    precheck,
)

# ---------------------------------------------------------------- pre-check


def test_clean_checklist_is_go() -> None:
    """Alex's clean checklist: go, nothing missing, nothing to note."""
    outcome = precheck_outcome(precheck())
    assert outcome.decision is PrecheckDecision.GO
    assert outcome.drivers == ()
    assert outcome.non_overridable is False
    assert (outcome.missing, outcome.not_assessed, outcome.notes) == ((), (), ())


@pytest.mark.parametrize(
    ("changes", "decision", "rule_id", "hard"),
    [
        (
            {"open_mood_alert": "amber"},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.mood.open_amber_alert",
            False,
        ),
        ({"open_mood_alert": "red"}, PrecheckDecision.NO_GO, "precheck.mood.open_red_alert", True),
        (
            {"ymrs_total_predose": 13},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.mood.ymrs_amber",
            False,
        ),
        ({"ymrs_total_predose": 16}, PrecheckDecision.NO_GO, "precheck.mood.ymrs_red", True),
        (
            {"asrm_total_recent": 6},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.mood.asrm_amber",
            False,
        ),
        (
            {"cssrs_since_last_visit_level": "high"},
            PrecheckDecision.NO_GO,
            "precheck.suicide.high_risk",
            True,
        ),
        ({"madrs_item10_session": 6}, PrecheckDecision.NO_GO, "precheck.suicide.high_risk", True),
        (
            {"cssrs_since_last_visit_level": "moderate"},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.suicide.cssrs_moderate",
            False,
        ),
        (
            {"madrs_item10_session": 4},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.suicide.madrs_item10_tier2",
            False,
        ),
        (
            {"escort_confirmed": False},
            PrecheckDecision.NO_GO,
            "precheck.escort.not_confirmed",
            False,
        ),
        (
            {"pregnancy_status": "positive"},
            PrecheckDecision.NO_GO,
            "precheck.pregnancy.positive",
            False,
        ),
        (
            {"pregnancy_status": "unknown"},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.pregnancy.unknown",
            False,
        ),
        (
            {"med_change_benzodiazepine": True},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.medicines.benzodiazepine_change",
            False,
        ),
        (
            {"med_change_lamotrigine_dose": True},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.medicines.lamotrigine_dose_change",
            False,
        ),
        (
            {"med_change_stimulant": True},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.medicines.stimulant_change",
            False,
        ),
        (
            {"med_change_maoi": True},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.medicines.maoi_change",
            False,
        ),
        (
            {"adverse_event_since_last": True},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.adverse_event.since_last_session",
            False,
        ),
        (
            {"acute_intoxication": True},
            PrecheckDecision.NO_GO,
            "precheck.substance.acute_intoxication",
            True,
        ),
        (
            {"predose_heart_rate": 110},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.heart_rate.at_pause_level",
            False,
        ),
        (
            {"predose_spo2": 93},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.spo2.below_prescriber_level",
            False,
        ),
        (
            {"route": "intranasal_esketamine", "fasting_confirmed": False},
            PrecheckDecision.NEEDS_PHYSICIAN,
            "precheck.fasting.esketamine_not_confirmed",
            False,
        ),
    ],
)
def test_each_checklist_item_maps_to_its_outcome(
    changes: dict[str, object], decision: PrecheckDecision, rule_id: str, hard: bool
) -> None:
    """One finding at a time: its severity decides go / needs physician / no-go."""
    outcome = precheck_outcome(precheck(**changes))
    assert outcome.decision is decision
    assert rule_id in [f.rule_id for f in outcome.drivers]
    assert outcome.non_overridable is hard


def test_pre_dose_spo2_below_90_is_a_no_go_no_one_may_override() -> None:
    """SpO2 89 % before dosing: a no-go at the emergency level, a safety floor (issue 15)."""
    found = precheck(predose_spo2=89)
    outcome = precheck_outcome(found)
    assert outcome.decision is PrecheckDecision.NO_GO
    assert [f.rule_id for f in outcome.no_go] == ["precheck.spo2.below_emergency_level"]
    assert outcome.hard_rule_ids == ("precheck.spo2.below_emergency_level",)
    with pytest.raises(OverrideRefused, match="not overridable"):
        precheck_outcome(
            found,
            overridden={
                "precheck.spo2.below_emergency_level",
                "precheck.spo2.below_prescriber_level",
            },
        )


def test_fasting_is_asked_only_for_esketamine() -> None:
    """IV with fasting not confirmed stays go; the label rule is for esketamine."""
    assert precheck_outcome(precheck(fasting_confirmed=False)).decision is PrecheckDecision.GO


def test_cssrs_low_and_madrs_item10_at_2_are_notes_not_decisions() -> None:
    """C-SSRS low and MADRS item 10 = 2 are shown; the outcome stays go."""
    outcome = precheck_outcome(precheck(cssrs_since_last_visit_level="low", madrs_item10_session=2))
    assert outcome.decision is PrecheckDecision.GO
    assert {f.rule_id for f in outcome.notes} == {
        "precheck.suicide.cssrs_low",
        "precheck.suicide.madrs_item10_cssrs",
    }


def test_high_cssrs_carries_the_crisis_pathway_message() -> None:
    """C-SSRS high: not overridable, crisis pathway in the message."""
    outcome = precheck_outcome(precheck(cssrs_since_last_visit_level="high"))
    (driver,) = outcome.drivers
    assert driver.severity is Severity.CRITICAL
    assert "crisis pathway" in driver.message
    with pytest.raises(OverrideRefused, match="not overridable"):
        precheck_outcome(precheck(cssrs_since_last_visit_level="high"), overridden={driver.rule_id})


def test_missing_required_fact_is_incomplete_never_go() -> None:
    """No C-SSRS this session: the checklist is incomplete, not go."""
    outcome = precheck_outcome(precheck(cssrs_since_last_visit_level=None))
    assert outcome.decision is PrecheckDecision.INCOMPLETE
    assert {f.rule_id for f in outcome.drivers} >= {
        "precheck.suicide.cssrs_moderate",
        "precheck.suicide.cssrs_low",
    }


def test_madrs_and_asrm_not_rated_this_session_are_not_assessed() -> None:
    """Maintenance session without MADRS or ASRM: go, with those rules not assessed."""
    outcome = precheck_outcome(precheck(madrs_item10_session=None, asrm_total_recent=None))
    assert outcome.decision is PrecheckDecision.GO
    assert {f.rule_id for f in outcome.not_assessed} == {
        "precheck.mood.asrm_amber",
        "precheck.suicide.high_risk",
        "precheck.suicide.madrs_item10_cssrs",
        "precheck.suicide.madrs_item10_tier2",
    }


def test_a_no_go_does_not_wait_for_missing_facts() -> None:
    """Intoxicated with half a checklist: no-go now (a fired rule stays fired)."""
    outcome = precheck_outcome(
        findings(RuleKind.PRECHECK, {"acute_intoxication": True, "route": "iv_racemic_ketamine"})
    )
    assert outcome.decision is PrecheckDecision.NO_GO
    assert outcome.missing, "the rest of the checklist is still listed as missing"


def test_physician_override_of_an_overridable_no_go() -> None:
    """Escort not confirmed: a physician's written override turns no-go into go."""
    found = precheck(escort_confirmed=False)
    assert precheck_outcome(found).decision is PrecheckDecision.NO_GO
    after = precheck_outcome(found, overridden={"precheck.escort.not_confirmed"})
    assert after.decision is PrecheckDecision.GO
    assert after.overridden == ("precheck.escort.not_confirmed",)


def test_overriding_a_no_go_leaves_physician_findings_open() -> None:
    """Override the pregnancy no-go only: the benzodiazepine change still needs the physician."""
    found = precheck(pregnancy_status="positive", med_change_benzodiazepine=True)
    after = precheck_outcome(found, overridden={"precheck.pregnancy.positive"})
    assert after.decision is PrecheckDecision.NEEDS_PHYSICIAN
    assert [f.rule_id for f in after.drivers] == ["precheck.medicines.benzodiazepine_change"]


@pytest.mark.parametrize(
    ("changes", "rule_id", "match"),
    [
        (
            {"predose_systolic_bp": 186, "predose_diastolic_bp": 104},
            "precheck.bp.hard_hold",
            "not overridable",
        ),
        (
            {"predose_systolic_bp": 150, "predose_diastolic_bp": 95},
            "precheck.bp.recheck_required",
            "not overridable",
        ),
        ({"open_mood_alert": "red"}, "precheck.mood.open_red_alert", "not overridable"),
        ({"acute_intoxication": True}, "precheck.substance.acute_intoxication", "not overridable"),
        ({}, "precheck.escort.not_confirmed", "nothing to override"),
        ({}, "precheck.no.such_rule", "nothing to override"),
    ],
)
def test_refused_overrides(changes: dict[str, object], rule_id: str, match: str) -> None:
    """Hard rules cannot be overridden; nor can a rule that did not fire."""
    with pytest.raises(OverrideRefused, match=match):
        precheck_outcome(precheck(**changes), overridden={rule_id})


def test_outcome_needs_precheck_findings() -> None:
    """Findings of another kind only: a clear error, never a silent go."""
    with pytest.raises(ValueError, match="no precheck findings"):
        precheck_outcome(discharge())


# ---------------------------------------------------------------- stop actions


def test_calm_entry_has_no_action() -> None:
    """Nothing fired: no action."""
    assert stop_actions(monitoring(), params()) == []


def test_actions_are_ordered_by_urgency() -> None:
    """MOAA/S 1 with SpO2 92 and BP 185/100: emergency first, nurse tier last."""
    actions = stop_actions(
        monitoring(
            current_moaas=1,
            current_spo2=92,
            current_systolic_bp=185,
            current_diastolic_bp=100,
        ),
        params(),
    )
    assert [a.rule_id for a in actions] == [
        "stop.sedation.emergency",
        "stop.sedation.prescriber_bedside",
        "stop.spo2.prescriber_bedside",
        "stop.bp.pause_infusion",
        "stop.bp.hypertensive_urgency",
        "stop.sedation.nurse_bedside",
    ]
    assert actions[0].severity is Severity.CRITICAL
    assert actions[0].overridable is False
    assert "Emergency response" in actions[0].action


def test_nurse_tier_carries_the_closer_vital_sign_interval() -> None:
    """MOAA/S 3: nurse at the bedside, vital signs every 5 min (with params)."""
    (action,) = stop_actions(monitoring(current_moaas=3), params())
    assert action.rule_id == "stop.sedation.nurse_bedside"
    assert action.vitals_every_minutes == 5
    (without,) = stop_actions(monitoring(current_moaas=3))
    assert without.vitals_every_minutes is None


def test_every_stop_message_states_an_action() -> None:
    """Each stop rule's message names what to do."""
    verbs = ("Stop", "Emergency", "Prescriber", "Pause", "Nurse")
    for action in stop_actions(
        monitoring(
            current_moaas=0,
            apnoea=True,
            current_spo2=80,
            current_systolic_bp=200,
            current_diastolic_bp=125,
            current_heart_rate=130,
            target_organ_symptoms=True,
        )
    ):
        assert action.action.startswith(verbs), action.rule_id


def test_missing_reading_is_not_an_action() -> None:
    """A MOAA/S-only entry: BP rules are missing information, not actions."""
    found = monitoring(current_systolic_bp=None, current_diastolic_bp=None, current_heart_rate=None)
    assert stop_actions(found) == []
    missing = {f.rule_id for f in found if f.status is FindingStatus.MISSING_INFORMATION}
    assert missing == {"stop.bp.pause_infusion", "stop.bp.hypertensive_urgency"}


# ---------------------------------------------------------------- discharge


def test_ready_discharge() -> None:
    """Every criterion met: ready, nothing unmet."""
    readiness = discharge_readiness(discharge())
    assert readiness.ready is True
    assert readiness.unmet == ()


def test_convention_criteria_can_be_overridden_floors_cannot() -> None:
    """40 min after the infusion: a physician may override the clinic's 60 min; not SpO2 or MOAA/S."""
    found = discharge(latest_moaas=4, minutes_since_infusion_end=40, latest_spo2=96)
    readiness = discharge_readiness(found)
    assert readiness.ready is False
    assert readiness.overridable_rule_ids == ("discharge.observation.iv_minimum",)
    assert set(readiness.hard_rule_ids) == {
        "discharge.sedation.moaas",
        "discharge.spo2.below_baseline",
    }
    partly = discharge_readiness(found, overridden={"discharge.observation.iv_minimum"})
    assert partly.ready is False
    assert {f.rule_id for f in partly.unmet} == {
        "discharge.sedation.moaas",
        "discharge.spo2.below_baseline",
    }
    for floor_rule in ("discharge.spo2.below_baseline", "discharge.sedation.moaas"):
        with pytest.raises(OverrideRefused, match="not overridable"):
            discharge_readiness(found, overridden={floor_rule})


def test_iv_observation_below_the_30_minute_floor_cannot_be_overridden() -> None:
    """29 min after the infusion: the clinic's 60 min may be overridden, the 30-min floor not."""
    found = discharge(minutes_since_infusion_end=29)
    readiness = discharge_readiness(found)
    assert readiness.hard_rule_ids == ("discharge.observation.iv_floor",)
    with pytest.raises(OverrideRefused, match="not overridable"):
        discharge_readiness(
            found,
            overridden={"discharge.observation.iv_minimum", "discharge.observation.iv_floor"},
        )
    assert discharge_readiness(
        discharge(minutes_since_infusion_end=30),
        overridden={"discharge.observation.iv_minimum"},
    ).ready


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"escort_present": False}, "discharge.escort.not_present"),
        (
            {"route": "intranasal_esketamine", "minutes_since_dose_start": 110},
            "discharge.observation.esketamine_minimum",
        ),
        ({"latest_spo2": 95}, "discharge.spo2.below_baseline"),
    ],
)
def test_the_three_hard_criteria_refuse_an_override(
    changes: dict[str, object], rule_id: str
) -> None:
    """Escort, esketamine 120 min and SpO2: never overridable."""
    found = discharge(**changes)
    assert discharge_readiness(found).hard_rule_ids == (rule_id,)
    with pytest.raises(OverrideRefused, match="not overridable"):
        discharge_readiness(found, overridden={rule_id})


def test_overriding_a_met_criterion_is_refused() -> None:
    """Only an unmet criterion can be overridden."""
    with pytest.raises(OverrideRefused, match="nothing to override"):
        discharge_readiness(discharge(), overridden={"discharge.sedation.moaas"})


def test_readiness_needs_discharge_findings() -> None:
    """Pre-check findings only: a clear error, never a vacuous 'ready'."""
    with pytest.raises(ValueError, match="no discharge findings"):
        discharge_readiness(precheck())
    with pytest.raises(ValueError, match="no stop findings"):
        stop_actions(precheck())


def test_precheck_facts_feed_the_discharge_baselines() -> None:
    """The pre-check's SpO2 and vitals are the discharge baselines."""
    facts = {**PRECHECK_GO, "predose_spo2": 97}
    found = findings(
        RuleKind.DISCHARGE,
        {
            key: facts[key]
            for key in (
                "route",
                "predose_systolic_bp",
                "predose_diastolic_bp",
                "predose_heart_rate",
                "predose_spo2",
            )
        },
        minutes_since_dose_start=100,
        minutes_since_infusion_end=60,
        latest_moaas=5,
        latest_spo2=97,
        latest_cadss=0,
        predose_cadss=0,
        latest_systolic_bp=124,
        latest_diastolic_bp=78,
        latest_heart_rate=72,
        escort_present=True,
        no_driving_acknowledged=True,
        exit_check_recorded=True,
        exit_check_open_finding=False,
    )
    assert discharge_readiness(found).ready is True
