"""The shipped session rules: inventory, golden edge tables and non-overridable flags."""

from __future__ import annotations

import pytest

from keel.clinical.protocol import (
    FindingStatus,
    RuleKind,
    Severity,
    evaluate,
    unset_parameters,
)
from keel.clinical.protocol.facts import FactGroup, facts_for
from keel.clinical.protocol.tests.helpers import default_protocol
from keel.clinical.sessions import PrecheckDecision, discharge_readiness, precheck_outcome
from keel.clinical.sessions.tests.helpers import (
    MONITORING_CALM,
    discharge,
    fired_ids,
    monitoring,
    precheck,
)

# (rule id, kind, overridable, severity)
SESSION_RULES = [
    ("precheck.bp.recheck_required", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.bp.review_prompt", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.bp.hard_hold", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.heart_rate.at_pause_level", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.spo2.below_prescriber_level", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.spo2.below_emergency_level", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.mood.open_red_alert", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.mood.open_amber_alert", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.mood.ymrs_red", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.mood.ymrs_amber", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.mood.asrm_amber", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.suicide.open_urgent_alert", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.suicide.high_risk", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("precheck.suicide.cssrs_moderate", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.suicide.cssrs_low", RuleKind.PRECHECK, True, Severity.LOW),
    ("precheck.suicide.madrs_item10_cssrs", RuleKind.PRECHECK, True, Severity.LOW),
    ("precheck.suicide.madrs_item10_tier2", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.escort.not_confirmed", RuleKind.PRECHECK, True, Severity.HIGH),
    ("precheck.fasting.esketamine_not_confirmed", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.pregnancy.positive", RuleKind.PRECHECK, True, Severity.HIGH),
    ("precheck.pregnancy.unknown", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.medicines.benzodiazepine_change", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.medicines.lamotrigine_dose_change", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.medicines.stimulant_change", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.medicines.maoi_change", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.adverse_event.since_last_session", RuleKind.PRECHECK, True, Severity.MODERATE),
    ("precheck.substance.acute_intoxication", RuleKind.PRECHECK, False, Severity.CRITICAL),
    ("stop.cardiovascular.target_organ_symptoms", RuleKind.STOP, False, Severity.CRITICAL),
    ("stop.sedation.emergency", RuleKind.STOP, False, Severity.CRITICAL),
    ("stop.respiration.apnoea", RuleKind.STOP, False, Severity.CRITICAL),
    ("stop.spo2.emergency", RuleKind.STOP, False, Severity.CRITICAL),
    ("stop.sedation.prescriber_bedside", RuleKind.STOP, True, Severity.HIGH),
    ("stop.spo2.prescriber_bedside", RuleKind.STOP, True, Severity.HIGH),
    ("stop.bp.pause_infusion", RuleKind.STOP, True, Severity.HIGH),
    ("stop.bp.hypertensive_urgency", RuleKind.STOP, True, Severity.HIGH),
    ("stop.sedation.nurse_bedside", RuleKind.STOP, True, Severity.MODERATE),
    ("discharge.sedation.moaas", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.spo2.below_baseline", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.dissociation.cadss", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.vitals.near_baseline", RuleKind.DISCHARGE, True, Severity.HIGH),
    ("discharge.observation.iv_minimum", RuleKind.DISCHARGE, True, Severity.HIGH),
    ("discharge.observation.iv_floor", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.observation.esketamine_minimum", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.sedation.moaas_monitoring_duration", RuleKind.DISCHARGE, True, Severity.HIGH),
    ("discharge.escort.not_present", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.instructions.no_driving", RuleKind.DISCHARGE, False, Severity.CRITICAL),
    ("discharge.safety.exit_check", RuleKind.DISCHARGE, False, Severity.CRITICAL),
]


SESSION_KINDS = (RuleKind.PRECHECK, RuleKind.STOP, RuleKind.DISCHARGE)


def test_session_rules_are_exactly_these() -> None:
    """27 pre-check, 9 stop and 11 discharge rules (v4 adds three), in this order."""
    session = [rule for rule in default_protocol().rules if rule.kind in SESSION_KINDS]
    assert [rule.id for rule in session] == [row[0] for row in SESSION_RULES]
    kinds = [row[1] for row in SESSION_RULES]
    assert (kinds.count(RuleKind.PRECHECK), kinds.count(RuleKind.STOP)) == (27, 9)
    assert kinds.count(RuleKind.DISCHARGE) == 11


@pytest.mark.parametrize(("rule_id", "kind", "overridable", "severity"), SESSION_RULES)
def test_session_rule_kind_override_and_severity(
    rule_id: str, kind: RuleKind, overridable: bool, severity: Severity
) -> None:
    """Each rule has the kind, override setting and severity the issue fixes."""
    rule = default_protocol().rule(rule_id)
    assert (rule.kind, rule.overridable, rule.severity) == (kind, overridable, severity)


@pytest.mark.parametrize(
    ("kind", "group"),
    [
        (RuleKind.PRECHECK, FactGroup.PRECHECK),
        (RuleKind.STOP, FactGroup.MONITORING),
        (RuleKind.DISCHARGE, FactGroup.DISCHARGE),
    ],
)
def test_rules_read_only_their_groups_facts(kind: RuleKind, group: FactGroup) -> None:
    """The fact grouping covers every fact a session rule reads."""
    allowed = set(facts_for(group))
    for rule in default_protocol().rules:
        if rule.kind is kind:
            assert set(rule.facts) <= allowed, rule.id


def test_discharge_rules_are_titled_by_their_section_10_parameter() -> None:
    """Every discharge criterion's title starts with the parameter(s) that define it."""
    protocol = default_protocol()
    for rule in protocol.rules:
        if rule.kind is RuleKind.DISCHARGE and rule.id not in {
            "discharge.observation.iv_floor",
            "discharge.safety.exit_check",
        }:
            names = rule.title.split(":")[0].split(" / ")
            assert all(name in protocol.parameters for name in names), rule.id


def test_spo2_sustained_seconds_must_be_set_by_the_clinic() -> None:
    """REFERENCE.md §10 gives no default: the placeholder is 0 and marked must_be_set."""
    protocol = default_protocol()
    parameter = protocol.parameters["spo2_sustained_seconds"]
    assert (parameter.default, parameter.must_be_set, parameter.convention) == (0, True, True)
    assert unset_parameters(protocol) == ("spo2_sustained_seconds",)
    assert unset_parameters(protocol, {"spo2_sustained_seconds": 30}) == ()


# ---------------------------------------------------------------- golden: pre-dose BP


@pytest.mark.parametrize(
    ("systolic", "diastolic", "recheck", "hold", "prompt", "decision"),
    [
        (139, 89, False, False, False, PrecheckDecision.GO),
        (140, 90, False, False, False, PrecheckDecision.GO),
        (141, 91, True, False, True, PrecheckDecision.NO_GO),
        (179, 99, True, False, True, PrecheckDecision.NO_GO),
        (180, 100, True, True, True, PrecheckDecision.NO_GO),
        (141, 80, True, False, True, PrecheckDecision.NO_GO),
        (120, 91, True, False, True, PrecheckDecision.NO_GO),
        (180, 70, True, True, True, PrecheckDecision.NO_GO),
        (130, 100, True, True, True, PrecheckDecision.NO_GO),
    ],
)
def test_first_reading_edges(
    systolic: int,
    diastolic: int,
    recheck: bool,
    hold: bool,
    prompt: bool,
    decision: PrecheckDecision,
) -> None:
    """First reading, no re-check yet: > 140/90 needs a re-check; >= 180/100 holds."""
    found = precheck(predose_systolic_bp=systolic, predose_diastolic_bp=diastolic)
    hits = fired_ids(found)
    assert ("precheck.bp.recheck_required" in hits) is recheck
    assert ("precheck.bp.hard_hold" in hits) is hold
    assert ("precheck.bp.review_prompt" in hits) is prompt
    outcome = precheck_outcome(found)
    assert outcome.decision is decision
    assert outcome.non_overridable is (decision is PrecheckDecision.NO_GO)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "hold", "decision"),
    [
        (139, 89, False, PrecheckDecision.NEEDS_PHYSICIAN),
        (140, 90, False, PrecheckDecision.NEEDS_PHYSICIAN),
        (141, 91, False, PrecheckDecision.NEEDS_PHYSICIAN),
        (179, 99, False, PrecheckDecision.NEEDS_PHYSICIAN),
        (180, 100, True, PrecheckDecision.NO_GO),
        (180, 99, True, PrecheckDecision.NO_GO),
        (179, 100, True, PrecheckDecision.NO_GO),
    ],
)
def test_rested_recheck_edges_after_a_high_first_reading(
    systolic: int, diastolic: int, hold: bool, decision: PrecheckDecision
) -> None:
    """First reading 186/104; the rested re-check decides the hold, the prompt stays."""
    found = precheck(
        predose_systolic_bp=186,
        predose_diastolic_bp=104,
        predose_bp_rechecked=True,
        recheck_systolic_bp=systolic,
        recheck_diastolic_bp=diastolic,
    )
    hits = fired_ids(found)
    assert ("precheck.bp.hard_hold" in hits) is hold
    assert "precheck.bp.review_prompt" in hits, "the first reading was above 140/90"
    assert "precheck.bp.recheck_required" not in hits
    outcome = precheck_outcome(found)
    assert outcome.decision is decision
    assert outcome.hard_rule_ids == (("precheck.bp.hard_hold",) if hold else ())


def test_finley_hard_hold_lifts_only_on_a_rested_recheck_below_it() -> None:
    """Finley: 186/104 holds (no override possible); a rested 176/96 lifts the hold."""
    held = precheck_outcome(precheck(predose_systolic_bp=186, predose_diastolic_bp=104))
    assert held.decision is PrecheckDecision.NO_GO
    assert set(held.hard_rule_ids) == {"precheck.bp.hard_hold", "precheck.bp.recheck_required"}
    lifted = precheck_outcome(
        precheck(
            predose_systolic_bp=186,
            predose_diastolic_bp=104,
            predose_bp_rechecked=True,
            recheck_systolic_bp=176,
            recheck_diastolic_bp=96,
        )
    )
    assert lifted.decision is PrecheckDecision.NEEDS_PHYSICIAN
    assert [f.rule_id for f in lifted.drivers] == ["precheck.bp.review_prompt"]


def test_soft_prompt_needs_the_physician_after_the_recheck() -> None:
    """150/95 then a rested 132/84: the prompt asks for the prescriber; it does not block."""
    outcome = precheck_outcome(
        precheck(
            predose_systolic_bp=150,
            predose_diastolic_bp=95,
            predose_bp_rechecked=True,
            recheck_systolic_bp=132,
            recheck_diastolic_bp=84,
        )
    )
    assert outcome.decision is PrecheckDecision.NEEDS_PHYSICIAN
    assert outcome.no_go == ()


# ---------------------------------------------------------------- golden: stop tiers

MOAAS_TIERS = {
    5: set(),
    4: set(),
    3: {"stop.sedation.nurse_bedside"},
    2: {"stop.sedation.nurse_bedside", "stop.sedation.prescriber_bedside"},
    1: {
        "stop.sedation.nurse_bedside",
        "stop.sedation.prescriber_bedside",
        "stop.sedation.emergency",
    },
    0: {
        "stop.sedation.nurse_bedside",
        "stop.sedation.prescriber_bedside",
        "stop.sedation.emergency",
    },
}


@pytest.mark.parametrize(("score", "expected"), sorted(MOAAS_TIERS.items()))
def test_moaas_tiers_at_each_edge(score: int, expected: set[str]) -> None:
    """MOAA/S 4 records only; 3 nurse; 2 prescriber; 1 and 0 emergency (cumulative)."""
    assert fired_ids(monitoring(current_moaas=score)) == expected


@pytest.mark.parametrize(
    ("spo2", "sustained", "expected"),
    [
        (95, 0, set()),
        (94, 600, set()),
        (93, 0, {"stop.spo2.prescriber_bedside"}),
        (90, 0, {"stop.spo2.prescriber_bedside"}),
        (89, 0, {"stop.spo2.prescriber_bedside", "stop.spo2.emergency"}),
    ],
)
def test_spo2_tiers_at_each_edge(spo2: int, sustained: int, expected: set[str]) -> None:
    """SpO2 < 94 sustained: prescriber; < 90: emergency. Until set, any reading is sustained."""
    assert fired_ids(monitoring(current_spo2=spo2, spo2_sustained_seconds=sustained)) == expected


def test_spo2_sustained_once_the_clinic_sets_it() -> None:
    """With spo2_sustained_seconds = 60, 93 % for 59 s does not call the prescriber; 60 s does."""

    def hits(seconds: int) -> set[str]:
        facts = {**MONITORING_CALM, "current_spo2": 93, "spo2_sustained_seconds": seconds}
        found = evaluate(
            default_protocol(), facts, params={"spo2_sustained_seconds": 60}, kinds=["stop"]
        )
        return fired_ids(found)

    assert hits(59) == set()
    assert hits(60) == {"stop.spo2.prescriber_bedside"}


@pytest.mark.parametrize(
    ("systolic", "diastolic", "heart_rate", "expected"),
    [
        (179, 109, 109, set()),
        (180, 100, 90, {"stop.bp.pause_infusion"}),
        (150, 110, 90, {"stop.bp.pause_infusion"}),
        (150, 95, 110, {"stop.bp.pause_infusion"}),
        (180, 120, 90, {"stop.bp.pause_infusion"}),
        (181, 100, 90, {"stop.bp.pause_infusion", "stop.bp.hypertensive_urgency"}),
        (170, 121, 90, {"stop.bp.pause_infusion", "stop.bp.hypertensive_urgency"}),
    ],
)
def test_blood_pressure_pause_and_urgency_edges(
    systolic: int, diastolic: int, heart_rate: int, expected: set[str]
) -> None:
    """Pause at >= 180 / >= 110 / HR >= 110; urgency review above 180/120."""
    found = monitoring(
        current_systolic_bp=systolic,
        current_diastolic_bp=diastolic,
        current_heart_rate=heart_rate,
    )
    assert fired_ids(found) == expected


def test_target_organ_symptoms_stop_at_any_blood_pressure() -> None:
    """Symptoms of target-organ damage: immediate stop, whatever the reading."""
    assert fired_ids(monitoring(target_organ_symptoms=True)) == {
        "stop.cardiovascular.target_organ_symptoms"
    }
    assert fired_ids(monitoring(apnoea=True)) == {"stop.respiration.apnoea"}


# ---------------------------------------------------------------- golden: discharge

DISCHARGE_CRITERIA = [
    ("discharge.sedation.moaas", {"latest_moaas": 5}, {"latest_moaas": 4}, False),
    (
        "discharge.spo2.below_baseline",
        {"latest_spo2": 98, "predose_spo2": 98},
        {"latest_spo2": 97, "predose_spo2": 98},
        False,
    ),
    (
        "discharge.dissociation.cadss",
        {"latest_cadss": 4, "predose_cadss": 0},
        {"latest_cadss": 5, "predose_cadss": 0},
        False,
    ),
    (
        "discharge.vitals.near_baseline",
        {"latest_systolic_bp": 144, "latest_diastolic_bp": 98, "latest_heart_rate": 92},
        {"latest_systolic_bp": 145, "latest_diastolic_bp": 80, "latest_heart_rate": 76},
        True,
    ),
    (
        "discharge.observation.iv_minimum",
        {"minutes_since_infusion_end": 60},
        {"minutes_since_infusion_end": 59},
        True,
    ),
    (
        "discharge.sedation.moaas_monitoring_duration",
        {"minutes_since_dose_start": 90},
        {"minutes_since_dose_start": 89},
        True,
    ),
    ("discharge.escort.not_present", {"escort_present": True}, {"escort_present": False}, False),
    (
        "discharge.instructions.no_driving",
        {"no_driving_acknowledged": True},
        {"no_driving_acknowledged": False},
        False,
    ),
]


@pytest.mark.parametrize(("rule_id", "met", "unmet", "overridable"), DISCHARGE_CRITERIA)
def test_each_iv_discharge_criterion_met_and_unmet(
    rule_id: str, met: dict[str, object], unmet: dict[str, object], overridable: bool
) -> None:
    """Each criterion alone: met -> ready; unmet -> refused, overridable as the issue says."""
    assert discharge_readiness(discharge(**met)).ready is True
    readiness = discharge_readiness(discharge(**unmet))
    assert readiness.ready is False
    assert [f.rule_id for f in readiness.unmet] == [rule_id]
    assert readiness.overridable_rule_ids == ((rule_id,) if overridable else ())
    assert readiness.hard_rule_ids == (() if overridable else (rule_id,))


@pytest.mark.parametrize(("minutes", "ready"), [(119, False), (120, True)])
def test_esketamine_observation_is_120_minutes_and_not_overridable(
    minutes: int, ready: bool
) -> None:
    """Esketamine: 120 min from the first device; the IV minimum does not apply."""
    readiness = discharge_readiness(
        discharge(
            route="intranasal_esketamine",
            minutes_since_dose_start=minutes,
            minutes_since_infusion_end=None,
        )
    )
    assert readiness.ready is ready
    assert readiness.hard_rule_ids == (
        () if ready else ("discharge.observation.esketamine_minimum",)
    )


def test_cadss_back_to_a_higher_predose_value_is_resolved() -> None:
    """CADSS 6 after a pre-dose 6 is met; 7 is not."""
    assert discharge_readiness(discharge(latest_cadss=6, predose_cadss=6)).ready is True
    assert discharge_readiness(discharge(latest_cadss=7, predose_cadss=6)).ready is False


def test_a_missing_discharge_fact_is_an_unmet_criterion() -> None:
    """No latest SpO2: the SpO2 criterion is missing information, so discharge is refused."""
    readiness = discharge_readiness(discharge(latest_spo2=None))
    assert readiness.ready is False
    assert [(f.rule_id, f.status) for f in readiness.unmet] == [
        ("discharge.spo2.below_baseline", FindingStatus.MISSING_INFORMATION)
    ]
    assert readiness.hard_rule_ids == ("discharge.spo2.below_baseline",)
