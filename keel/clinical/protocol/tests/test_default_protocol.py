"""The shipped keel-default protocol: structure, examples and golden eligibility scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest

from keel.clinical.alerts import ALERT_HELPER_PARAMETERS
from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol import (
    FACT_CATALOGUE,
    FactType,
    Finding,
    FindingStatus,
    RuleKind,
    Severity,
    evaluate,
    run_examples,
)
from keel.clinical.protocol.facts import normalise_name
from keel.clinical.protocol.model import iter_comparisons
from keel.clinical.protocol.tests.helpers import ALEX, default_protocol, persona
from keel.clinical.sessions import HELPER_PARAMETERS

OUTCOME_PARAMETERS = (
    "response_reduction_min_pct",
    "partial_response_reduction_min_pct",
    "phq9_remission_max",
    "qids_remission_max",
    "madrs_remission_max",
    "ymrs_remission_rule",
    "ymrs_mania_range_min",
)
"""Parameters read by keel.clinical.outcomes (display), not by a rule."""

BLOCKING = (RuleKind.EXCLUSION, RuleKind.REQUIREMENT)
ELIGIBILITY = (RuleKind.EXCLUSION, RuleKind.REQUIREMENT, RuleKind.CAUTION)
"""The kinds the intake app evaluates (keel.intake.review.ELIGIBILITY_KINDS)."""

RULE_PREFIX: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.EXCLUSION: ("eligibility.",),
    RuleKind.REQUIREMENT: ("eligibility.",),
    RuleKind.CAUTION: ("eligibility.",),
    RuleKind.PRECHECK: ("precheck.",),
    RuleKind.STOP: ("stop.",),
    RuleKind.DISCHARGE: ("discharge.",),
    RuleKind.ALERT: ("suicide.", "switch.", "worsening.", "checkin.", "nonresponse."),
}


def eligibility(facts: Mapping[str, object]) -> tuple[Finding, ...]:
    """Return the eligibility findings, as the intake app evaluates them."""
    return evaluate(default_protocol(), facts, kinds=ELIGIBILITY)


def fired(findings: tuple[Finding, ...]) -> dict[str, Finding]:
    """Return the fired findings by rule id."""
    return {f.rule_id: f for f in findings if f.status is FindingStatus.FIRED}


def test_header() -> None:
    """Identity and review status as the brief fixes them."""
    protocol = default_protocol()
    assert protocol.id == "keel-default"
    assert protocol.version == "4"
    assert protocol.label == "keel-default v4"
    assert protocol.effective_from == date(2026, 12, 8)
    assert protocol.review_status is ReviewStatus.UNREVIEWED
    assert protocol.reviewed_by is None


def test_every_example_passes() -> None:
    """CI runs every rule's examples: none may fail."""
    protocol = default_protocol()
    assert [str(failure) for failure in run_examples(protocol)] == []
    assert protocol.example_count >= 2 * len(protocol.rules)


def test_rules_are_named_by_kind_with_sources() -> None:
    """Every rule id starts with its kind's family and cites REFERENCE.md or a source."""
    for rule in default_protocol().rules:
        assert rule.id.startswith(RULE_PREFIX[rule.kind]), rule.id
        assert (rule.alert is not None) is (rule.kind is RuleKind.ALERT), rule.id
        assert "REFERENCE.md" in rule.source or "[src" in rule.source, rule.id
    assert {rule.kind for rule in default_protocol().rules} == set(RULE_PREFIX)


def test_version_1_rules_are_the_45_eligibility_rules_first() -> None:
    """v2 and v3 keep v1's 45 eligibility rules, first and in order; session rules follow."""
    rules = default_protocol().rules
    assert [rule.kind in ELIGIBILITY for rule in rules[:45]] == [True] * 45
    assert all(rule.kind not in ELIGIBILITY for rule in rules[45:])


def test_rule_counts_by_kind() -> None:
    """v4 = 45 eligibility + 47 session rules + 38 alert rules (v4 adds five), alert rules last."""
    rules = default_protocol().rules
    counts = {kind: sum(rule.kind is kind for rule in rules) for kind in RuleKind}
    assert counts == {
        RuleKind.EXCLUSION: counts[RuleKind.EXCLUSION],
        RuleKind.REQUIREMENT: counts[RuleKind.REQUIREMENT],
        RuleKind.CAUTION: counts[RuleKind.CAUTION],
        RuleKind.PRECHECK: 27,
        RuleKind.STOP: 9,
        RuleKind.DISCHARGE: 11,
        RuleKind.ALERT: 38,
    }
    assert len(rules) == 130
    assert all(rule.kind is RuleKind.ALERT for rule in rules[92:])


def test_critical_means_not_overridable() -> None:
    """Severity critical is used exactly on the rules a physician cannot override."""
    for rule in default_protocol().rules:
        assert (rule.severity is Severity.CRITICAL) is (not rule.overridable), rule.id


def test_every_number_and_medicine_list_is_a_parameter() -> None:
    """REFERENCE.md §10: thresholds are configuration, never inline; only enum literals."""
    protocol = default_protocol()
    for rule in protocol.rules:
        for comparison in iter_comparisons(rule.when):
            if comparison.value is None:
                continue
            spec = FACT_CATALOGUE.get(comparison.fact)
            assert spec is not None
            assert spec.type is FactType.ENUM, (rule.id, comparison)


def test_every_parameter_is_used_and_documented() -> None:
    """No dead parameters (a rule or a session helper reads each); each has a unit and a basis."""
    protocol = default_protocol()
    used = {name for rule in protocol.rules for name in rule.parameters}
    used |= {name for rule in protocol.rules if rule.alert for name in rule.alert.parameters}
    assert used | set(HELPER_PARAMETERS) | set(OUTCOME_PARAMETERS) | set(
        ALERT_HELPER_PARAMETERS
    ) == set(protocol.parameters)
    for parameter in protocol.parameters.values():
        assert parameter.unit, parameter.name
        assert parameter.basis, parameter.name


@pytest.mark.parametrize(
    ("name", "default", "convention"),
    [
        ("lithium_level_caution_below", Decimal("0.6"), True),
        ("lithium_level_fail_below", Decimal("0.4"), True),
        ("valproate_level_fail_below", 50, True),
        ("predose_bp_hold_systolic_min", 180, True),
        ("predose_bp_hold_diastolic_min", 100, True),
        ("madrs_item10_high_risk_min", 6, True),
        ("madrs_item10_tier2_min", 4, True),
        ("phq9_item9_tier2_min", 2, True),
        ("switch_amber_asrm_min", 6, True),
        ("switch_amber_ymrs_min", 13, True),
        ("eligibility_age_below", 18, True),
        ("antimanic_agents_not_qualifying", ("lamotrigine",), True),
    ],
)
def test_reference_section_10_defaults(name: str, default: object, convention: bool) -> None:
    """Defaults and convention flags match REFERENCE.md §10."""
    parameter = default_protocol().parameters[name]
    assert parameter.default == default
    assert parameter.convention is convention


def test_medicine_lists_are_written_in_canonical_form() -> None:
    """Shipped lists hold lower-case generic names without duplicates."""
    for parameter in default_protocol().parameters.values():
        if isinstance(parameter.default, tuple):
            names = parameter.default
            assert [normalise_name(name) for name in names] == list(names), parameter.name
            assert len(set(names)) == len(names), parameter.name


def test_antimanic_lists_are_consistent() -> None:
    """Caution agents qualify; non-qualifying agents never qualify; levels cover lithium/valproate."""
    params = default_protocol().parameters
    qualifying = set(params["antimanic_agents_qualifying"].default)
    assert qualifying == {
        "lithium",
        "valproate",
        "divalproex",
        "valproic acid",
        "carbamazepine",
        "aripiprazole",
        "asenapine",
        "cariprazine",
        "olanzapine",
        "quetiapine",
        "risperidone",
        "ziprasidone",
    }
    caution = set(params["antimanic_agents_caution"].default)
    assert caution == qualifying - {"lithium", "valproate", "divalproex", "valproic acid"}
    assert not qualifying & set(params["antimanic_agents_not_qualifying"].default)
    lithium = set(params["lithium_agents"].default)
    valproate = set(params["valproate_agents"].default)
    assert lithium | valproate == qualifying - caution


REQUIRED_RULES = [
    ("eligibility.current_episode.elevated", RuleKind.EXCLUSION, False),
    ("eligibility.contraindication.aneurysmal_vascular_disease", RuleKind.EXCLUSION, False),
    ("eligibility.contraindication.arteriovenous_malformation", RuleKind.EXCLUSION, False),
    ("eligibility.contraindication.intracerebral_haemorrhage", RuleKind.EXCLUSION, False),
    ("eligibility.contraindication.ketamine_hypersensitivity", RuleKind.EXCLUSION, False),
    ("eligibility.medical.bp_or_icp_rise_risk", RuleKind.EXCLUSION, True),
    ("eligibility.cardiovascular.recent_event", RuleKind.EXCLUSION, True),
    ("eligibility.cardiovascular.hypertensive_encephalopathy_history", RuleKind.CAUTION, True),
    ("eligibility.neuro.raised_icp_or_eye_risk", RuleKind.EXCLUSION, True),
    ("eligibility.endocrine.hyperthyroidism_uncontrolled", RuleKind.EXCLUSION, True),
    ("eligibility.obstetric.preeclampsia", RuleKind.EXCLUSION, True),
    ("eligibility.psychosis.history", RuleKind.EXCLUSION, True),
    ("eligibility.psychosis.current", RuleKind.EXCLUSION, True),
    ("eligibility.antimanic.none", RuleKind.REQUIREMENT, True),
    ("eligibility.antimanic.non_qualifying_only", RuleKind.REQUIREMENT, True),
    ("eligibility.antimanic.caution_agents_only", RuleKind.CAUTION, True),
    ("eligibility.lithium.level_below_fail", RuleKind.REQUIREMENT, True),
    ("eligibility.lithium.level_caution_range", RuleKind.CAUTION, True),
    ("eligibility.valproate.level_below_fail", RuleKind.REQUIREMENT, True),
    ("eligibility.hypertension.uncontrolled", RuleKind.EXCLUSION, True),
    ("eligibility.pregnancy.pregnant", RuleKind.EXCLUSION, True),
    ("eligibility.pregnancy.breastfeeding", RuleKind.EXCLUSION, True),
    ("eligibility.pregnancy.planned", RuleKind.CAUTION, True),
    ("eligibility.substance.use_disorder_active", RuleKind.CAUTION, True),
    ("eligibility.substance.ketamine_misuse_history", RuleKind.CAUTION, True),
    ("eligibility.interaction.benzodiazepines", RuleKind.CAUTION, True),
    ("eligibility.interaction.opioids", RuleKind.CAUTION, True),
    ("eligibility.interaction.psychostimulants", RuleKind.CAUTION, True),
    ("eligibility.interaction.maois", RuleKind.CAUTION, True),
    ("eligibility.interaction.theophylline", RuleKind.CAUTION, True),
    ("eligibility.interaction.nmda_antagonists", RuleKind.CAUTION, True),
    ("eligibility.interaction.lamotrigine", RuleKind.CAUTION, True),
    ("eligibility.switch_risk.snri", RuleKind.CAUTION, True),
    ("eligibility.suicide.high_risk", RuleKind.EXCLUSION, False),
    ("eligibility.suicide.cssrs_moderate", RuleKind.CAUTION, True),
    ("eligibility.diagnosis.bipolar_not_confirmed", RuleKind.REQUIREMENT, True),
    ("eligibility.age.below_adult", RuleKind.EXCLUSION, False),
]


@pytest.mark.parametrize(("rule_id", "kind", "overridable"), REQUIRED_RULES)
def test_required_rule_is_present(rule_id: str, kind: RuleKind, overridable: bool) -> None:
    """Each rule the issue lists exists with its kind and override setting."""
    rule = default_protocol().rule(rule_id)
    assert rule.kind is kind
    assert rule.overridable is overridable


def test_alex_has_no_exclusions_and_no_missing_information() -> None:
    """Alex: bipolar II, depressed, lithium 0.8 mmol/L - nothing blocks, nothing missing."""
    findings = eligibility(ALEX)
    assert len(findings) == 45
    assert fired(findings) == {}
    assert [f.rule_id for f in findings if f.status is FindingStatus.MISSING_INFORMATION] == []


def test_drew_psychosis_history_is_an_overridable_exclusion() -> None:
    """Drew: history of psychosis - an exclusion a physician may override with a reason."""
    hits = fired(evaluate(default_protocol(), persona(psychosis_history=True)))
    assert list(hits) == ["eligibility.psychosis.history"]
    finding = hits["eligibility.psychosis.history"]
    assert finding.kind is RuleKind.EXCLUSION
    assert finding.overridable is True
    assert finding.severity is Severity.HIGH
    assert dict(finding.facts_used) == {"psychosis_history": True}


def test_emery_lamotrigine_only_has_no_antimanic_treatment() -> None:
    """Emery: lamotrigine only - the antimanic requirement is not met, shown prominently."""
    facts = persona(
        antimanic_agents=["lamotrigine"],
        current_medications=["lamotrigine"],
        lithium_level_mmol_l=None,
        lithium_level_age_days=None,
    )
    findings = eligibility(facts)
    hits = fired(findings)
    assert set(hits) == {
        "eligibility.antimanic.non_qualifying_only",
        "eligibility.interaction.lamotrigine",
    }
    requirement = hits["eligibility.antimanic.non_qualifying_only"]
    assert requirement.kind is RuleKind.REQUIREMENT
    assert requirement.severity is Severity.HIGH
    assert requirement.overridable is True
    assert requirement.params_used["antimanic_agents_not_qualifying"] == ("lamotrigine",)
    missing = [f.rule_id for f in findings if f.status is FindingStatus.MISSING_INFORMATION]
    assert missing == [], "no lithium level is needed when lithium is not the agent"


def test_blair_valproate_70_meets_the_requirement() -> None:
    """Blair: bipolar I on valproate 70 µg/mL - no blocking finding (bipolar I shown as info)."""
    facts = persona(
        bipolar_type="bipolar_i",
        antimanic_agents=["valproate"],
        current_medications=["valproate"],
        lithium_level_mmol_l=None,
        lithium_level_age_days=None,
        valproate_level_ug_ml=70,
        valproate_level_age_days=12,
    )
    findings = evaluate(default_protocol(), facts)
    assert list(fired(findings)) == ["eligibility.switch_risk.bipolar_i"]
    assert fired(findings)["eligibility.switch_risk.bipolar_i"].severity is Severity.INFO
    valproate = next(f for f in findings if f.rule_id == "eligibility.valproate.level_below_fail")
    assert valproate.status is FindingStatus.CLEAR
    assert valproate.facts_used["valproate_level_ug_ml"] == Decimal(70)


@pytest.mark.parametrize("episode", ["hypomanic", "manic", "mixed"])
def test_elevated_current_episode_is_a_hard_stop(episode: str) -> None:
    """A current elevated episode is a critical exclusion no one can override."""
    hits = fired(evaluate(default_protocol(), persona(current_episode=episode)))
    assert list(hits) == ["eligibility.current_episode.elevated"]
    finding = hits["eligibility.current_episode.elevated"]
    assert finding.overridable is False
    assert finding.severity is Severity.CRITICAL
    assert "psychiatrist review" in finding.message


def test_high_cssrs_routes_to_crisis_care() -> None:
    """C-SSRS high: non-overridable, with the crisis message."""
    hits = fired(evaluate(default_protocol(), persona(cssrs_level="high")))
    assert list(hits) == ["eligibility.suicide.high_risk"]
    finding = hits["eligibility.suicide.high_risk"]
    assert finding.overridable is False
    assert finding.severity is Severity.CRITICAL
    assert "route to crisis care" in finding.message


def test_madrs_item10_at_six_routes_to_crisis_care_and_same_day_assessment() -> None:
    """MADRS item 10 = 6 fires the crisis rule (and the tier-2 same-day caution)."""
    hits = fired(evaluate(default_protocol(), persona(madrs_item10=6)))
    assert set(hits) == {"eligibility.suicide.high_risk", "eligibility.suicide.ideation_same_day"}


def test_missing_lithium_level_is_missing_information() -> None:
    """On lithium with no level: the level rules say so, never pass silently."""
    findings = eligibility(persona(lithium_level_mmol_l=None))
    missing = {
        f.rule_id: f.missing_facts
        for f in findings
        if f.status is FindingStatus.MISSING_INFORMATION
    }
    assert missing == {
        "eligibility.lithium.level_below_fail": ("lithium_level_mmol_l",),
        "eligibility.lithium.level_caution_range": ("lithium_level_mmol_l",),
    }
    assert fired(findings) == {}


def test_finley_blood_pressure_is_uncontrolled_hypertension() -> None:
    """BP 186/104 at rest: uncontrolled hypertension exclusion, overridable with clearance."""
    hits = fired(
        evaluate(default_protocol(), persona(resting_systolic_bp=186, resting_diastolic_bp=104))
    )
    assert list(hits) == ["eligibility.hypertension.uncontrolled"]


def test_clinic_tuned_lithium_threshold() -> None:
    """A clinic raising lithium_level_fail_below to 0.9 turns Alex's 0.8 into a requirement."""
    hits = fired(
        evaluate(
            default_protocol(),
            ALEX,
            params={"lithium_level_fail_below": 0.9, "lithium_level_caution_below": 1.0},
        )
    )
    assert list(hits) == ["eligibility.lithium.level_below_fail"]
    assert hits["eligibility.lithium.level_below_fail"].params_used[
        "lithium_level_fail_below"
    ] == Decimal("0.9")


def test_empty_intake_is_all_missing_information() -> None:
    """With no facts at all, every rule asks for information; none is clear."""
    findings = evaluate(default_protocol(), {})
    assert {f.status for f in findings} == {FindingStatus.MISSING_INFORMATION}


def test_blocking_findings_for_a_complete_intake_are_never_missing() -> None:
    """A complete intake leaves no rule undecided."""
    findings = eligibility(persona(psychosis_history=True))
    assert all(f.status is not FindingStatus.MISSING_INFORMATION for f in findings)
    assert [f.rule_id for f in findings if f.fired and f.kind in BLOCKING] == [
        "eligibility.psychosis.history"
    ]


V3_SECTION_10 = [
    ("phq9_item9_tier1_min", 1, True),
    ("qids_item12_tier1_min", 1, True),
    ("qids_item12_tier2_min", 2, True),
    ("suicide_tier1_response_business_days", 1, True),
    ("suicide_in_session_cssrs_timing", "before_dosing", True),
    ("suicide_tier2_response_calendar_days", 0, True),
    ("suicide_high_risk_response", "immediate", False),
    ("suicide_item_missing_task_business_days", 1, True),
    ("cssrs_q6_followup_missing_level", "high", True),
    ("cssrs_since_last_visit_q6_yes_level", "high", False),
    ("switch_acute_post_dose_exclusion_hours", 4, True),
    ("switch_ymrs_min_hours_since_dose", 48, True),
    ("switch_baseline_min_diary_days", 7, True),
    ("switch_sleep_fallback_below_hours", Decimal(5), True),
    ("switch_sleep_drop_min_hours", Decimal(2), True),
    ("switch_amber_review_hours", 24, True),
    ("switch_amber_blocks_next_session", True, True),
    ("switch_amber_ymrs_rise_min", 7, True),
    ("switch_amber_diary_mood_min", 2, True),
    ("switch_amber_diary_mood_days", 2, True),
    ("switch_red_ymrs_min", 16, True),
    ("switch_red_ymrs_repeat_min", 13, True),
    ("switch_red_ymrs_repeat_count", 2, True),
    ("switch_red_ymrs_item4_min", 3, True),
    ("switch_red_ymrs_item1_min", 2, True),
    ("switch_persistence_min_ratings", 2, True),
    ("switch_persistence_window_hours", 48, True),
    ("switch_persistence_diary_days", 3, True),
    ("switch_red_asrm_short_sleep_nights", 2, True),
    ("switch_psychosis_ymrs_item8_min", 6, True),
    ("switch_psychosis_ymrs_item7_min", 3, True),
    ("mixed_depressive_madrs_min", 20, True),
    ("mixed_depressive_phq9_min", 10, True),
    ("mixed_depressive_qids_min", 11, True),
    ("mixed_elevation_ymrs_min", 13, True),
    ("mixed_elevation_asrm_min", 6, True),
    ("mixed_elevation_diary_days", 2, True),
    ("mixed_elevation_diary_mood_max", -1, True),
    ("mixed_elevation_irritability_min", 2, True),
    ("ymrs_mania_range_min", 20, False),
    ("switch_risk_modifier_escalation", False, True),
    ("post_session_watch_days", 3, True),
    ("urgent_alert_ack_minutes", 60, True),
    ("routine_alert_ack_business_days", 1, True),
    ("missed_diary_consecutive_days", 3, True),
    ("weekly_scale_overdue_days", 3, True),
    ("phq9_worsening_min_points", 5, False),
    ("response_reduction_min_pct", 50, False),
    ("partial_response_reduction_min_pct", 25, True),
    ("nonresponse_reduction_below_pct", 25, True),
    ("phq9_remission_max", 4, False),
    ("qids_remission_max", 5, False),
    ("madrs_remission_max", 12, False),
    ("ymrs_remission_rule", "not used", True),
    # Project conventions not in REFERENCE.md §10 (windows the §5.2 rules need).
    ("mixed_features_window_days", 14, True),
    ("switch_red_asrm_sleep_window_days", 7, True),
]


@pytest.mark.parametrize(("name", "default", "convention"), V3_SECTION_10)
def test_v3_alert_parameters_match_section_10(name: str, default: object, convention: bool) -> None:
    """The alert parameters ship REFERENCE.md §10's defaults, with a unit and a basis."""
    parameter = default_protocol().parameters[name]
    assert parameter.default == default
    assert type(parameter.default) is type(default)
    assert parameter.convention is convention
    assert "REFERENCE.md" in parameter.basis


def test_v2_parameters_are_unchanged_in_v3() -> None:
    """v3 adds parameters; the 65 of v1 and v2 come first, with the same defaults."""
    names = list(default_protocol().parameters)
    assert names[:2] == ["eligibility_age_below", "predose_bp_hold_systolic_min"]
    assert names.index("switch_acute_post_dose_exclusion_hours") == 64
    assert len(names) == 65 + 54 + 1  # v4: iv_ketamine_observation_floor_minutes
