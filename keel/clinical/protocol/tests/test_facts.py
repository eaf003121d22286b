"""The fact catalogue and validate_facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.clinical.protocol import (
    FACT_CATALOGUE,
    FACT_GROUPS,
    OPTIONAL_FACTS,
    FactGroup,
    FactSpec,
    FactType,
    InvalidFactsError,
    facts_for,
    validate_facts,
)
from keel.clinical.routes import Route

ELIGIBILITY_NAMES = {
    "age_years": "int",
    "bipolar_diagnosis_confirmed": "bool",
    "bipolar_type": "enum",
    "icd10_code": "text",
    "current_episode": "enum",
    "aneurysmal_vascular_disease": "bool",
    "arteriovenous_malformation": "bool",
    "intracerebral_haemorrhage_history": "bool",
    "ketamine_hypersensitivity": "bool",
    "bp_or_icp_rise_serious_risk": "bool",
    "recent_cardiovascular_event": "bool",
    "hypertensive_encephalopathy_history": "bool",
    "hyperthyroidism_uncontrolled": "bool",
    "preeclampsia_or_eclampsia": "bool",
    "raised_icp_or_eye_risk": "bool",
    "liver_disease_significant": "bool",
    "hypertension_diagnosed": "bool",
    "hypertension_controlled": "bool",
    "resting_systolic_bp": "int",
    "resting_diastolic_bp": "int",
    "psychosis_history": "bool",
    "psychosis_current": "bool",
    "switch_on_antidepressant_history": "bool",
    "suicide_attempt_history": "bool",
    "antimanic_agents": "list_of_text",
    "current_medications": "list_of_text",
    "lithium_level_mmol_l": "number",
    "lithium_level_age_days": "int",
    "valproate_level_ug_ml": "number",
    "valproate_level_age_days": "int",
    "pregnant": "bool",
    "breastfeeding": "bool",
    "pregnancy_planned": "bool",
    "substance_use_disorder_active": "bool",
    "ketamine_misuse_history": "bool",
    "madrs_total": "int",
    "madrs_item10": "int",
    "ymrs_total": "int",
    "phq9_total": "int",
    "phq9_item9": "int",
    "qids_total": "int",
    "asrm_total": "int",
    "cssrs_level": "enum",
}


PRECHECK_NAMES = {
    "route": "enum",
    "predose_systolic_bp": "int",
    "predose_diastolic_bp": "int",
    "predose_heart_rate": "int",
    "predose_spo2": "int",
    "predose_bp_rechecked": "bool",
    "recheck_systolic_bp": "int",
    "recheck_diastolic_bp": "int",
    "weight_kg": "number",
    "ymrs_total_predose": "int",
    "asrm_total_recent": "int",
    "open_mood_alert": "enum",
    "suicide_alert_urgent_open": "bool",
    "suicide_same_day_assessment": "bool",
    "cssrs_since_last_visit_level": "enum",
    "madrs_item10_session": "int",
    "escort_confirmed": "bool",
    "fasting_confirmed": "bool",
    "pregnancy_status": "enum",
    "med_change_benzodiazepine": "bool",
    "med_change_lamotrigine_dose": "bool",
    "med_change_stimulant": "bool",
    "med_change_maoi": "bool",
    "adverse_event_since_last": "bool",
    "acute_intoxication": "bool",
}

MONITORING_NAMES = {
    "current_systolic_bp": "int",
    "current_diastolic_bp": "int",
    "current_heart_rate": "int",
    "current_spo2": "int",
    "current_respiratory_rate": "int",
    "current_moaas": "int",
    "apnoea": "bool",
    "target_organ_symptoms": "bool",
    "spo2_sustained_seconds": "int",
}

DISCHARGE_NAMES = {
    "minutes_since_dose_start": "int",
    "minutes_since_infusion_end": "int",
    "latest_moaas": "int",
    "latest_spo2": "int",
    "latest_cadss": "int",
    "predose_cadss": "int",
    "latest_systolic_bp": "int",
    "latest_diastolic_bp": "int",
    "latest_heart_rate": "int",
    "escort_present": "bool",
    "no_driving_acknowledged": "bool",
    "exit_check_recorded": "bool",
    "exit_check_open_finding": "bool",
}

ALERT_NAMES = {
    "trigger_kind": "enum",
    "trigger_instrument": "enum",
    "exit_mood_elevation": "bool",
    "exit_perceptual_change": "bool",
    "exit_new_suicidal_ideation": "bool",
    "trigger_outside_acute_window": "bool",
    "trigger_ymrs_predose": "bool",
    "trigger_phq9_item9": "int",
    "trigger_qids_item12": "int",
    "trigger_madrs_item10": "int",
    "trigger_suicide_item_unanswered": "bool",
    "trigger_cssrs_level": "enum",
    "trigger_cssrs_complete": "bool",
    "trigger_asrm_total": "int",
    "trigger_ymrs_total": "int",
    "trigger_ymrs_item1": "int",
    "trigger_ymrs_item4": "int",
    "trigger_ymrs_item7": "int",
    "trigger_ymrs_item8": "int",
    "ymrs_baseline_total": "int",
    "ymrs_repeat_run": "int",
    "amber_rating_persistence": "int",
    "trigger_phq9_total": "int",
    "previous_phq9_total": "int",
    "trigger_diary_mood": "int",
    "trigger_diary_sleep_hours": "number",
    "trigger_diary_less_need_for_sleep": "bool",
    "diary_baseline_days": "int",
    "diary_sleep_below_baseline_hours": "number",
    "diary_high_mood_streak_days": "int",
    "diary_amber_streak_days": "int",
    "window_asrm_total": "int",
    "window_short_sleep_nights": "int",
    "current_madrs_total": "int",
    "current_phq9_total": "int",
    "current_qids_total": "int",
    "current_ymrs_total": "int",
    "current_asrm_total": "int",
    "current_mixed_diary_days": "int",
    "current_suicide_signal": "bool",
    "diary_missed_days": "int",
    "scale_days_overdue": "int",
    "induction_complete": "bool",
    "induction_madrs_reduction_pct": "number",
    "risk_modifier_present": "bool",
    "in_post_session_watch": "bool",
}
"""Derived facts built by keel.clinical.alerts.alert_facts (fact group alert)."""


def test_catalogue_names_and_types_are_the_app_contract() -> None:
    """The intake and treatment apps build facts with exactly these names and types."""
    assert {name: spec.type.value for name, spec in FACT_CATALOGUE.specs.items()} == (
        ELIGIBILITY_NAMES | PRECHECK_NAMES | MONITORING_NAMES | DISCHARGE_NAMES | ALERT_NAMES
    )


def test_groups_say_which_facts_each_evaluation_uses() -> None:
    """Eligibility keeps the intake contract; discharge adds the pre-dose baselines."""
    assert set(facts_for("eligibility")) == set(ELIGIBILITY_NAMES)
    assert set(facts_for(FactGroup.PRECHECK)) == set(PRECHECK_NAMES)
    assert set(facts_for("monitoring")) == set(MONITORING_NAMES)
    assert set(facts_for("discharge")) == set(DISCHARGE_NAMES) | {
        "route",
        "predose_systolic_bp",
        "predose_diastolic_bp",
        "predose_heart_rate",
        "predose_spo2",
    }
    assert all(set(names) <= set(FACT_CATALOGUE.specs) for names in FACT_GROUPS.values())
    assert OPTIONAL_FACTS[FactGroup.PRECHECK] <= set(facts_for("precheck"))
    assert set(facts_for("alert")) == set(ALERT_NAMES)
    assert OPTIONAL_FACTS[FactGroup.ALERT] == set(ALERT_NAMES)
    with pytest.raises(ValueError, match="unknown fact group 'alerts'"):
        facts_for("alerts")


def test_route_values_are_the_treatment_routes() -> None:
    """The route fact takes exactly the Route values."""
    spec = FACT_CATALOGUE.get("route")
    assert spec is not None
    assert spec.allowed == tuple(route.value for route in Route)
    assert spec.allowed == ("iv_racemic_ketamine", "intranasal_esketamine", "im_racemic_ketamine")


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("bipolar_type", ("bipolar_i", "bipolar_ii", "other_specified", "unspecified")),
        (
            "current_episode",
            ("depressed", "hypomanic", "manic", "mixed", "euthymic", "unspecified"),
        ),
        ("cssrs_level", ("none", "low", "moderate", "high")),
        ("cssrs_since_last_visit_level", ("none", "low", "moderate", "high")),
        ("open_mood_alert", ("none", "amber", "red")),
        ("pregnancy_status", ("not_applicable", "negative", "positive", "unknown")),
    ],
)
def test_enum_facts_list_their_values(name: str, allowed: tuple[str, ...]) -> None:
    """Enum facts declare the allowed values the intake form offers."""
    spec = FACT_CATALOGUE.get(name)
    assert spec is not None
    assert spec.allowed == allowed


def test_values_are_normalised() -> None:
    """Numbers become Decimal via their repr; lists become lower-case tuples; None stays."""
    checked = validate_facts(
        {
            "lithium_level_mmol_l": 0.8,
            "valproate_level_ug_ml": 70,
            "antimanic_agents": [" Lithium ", "Valproic  Acid"],
            "madrs_item10": None,
            "cssrs_level": "none",
        }
    )
    assert checked["lithium_level_mmol_l"] == Decimal("0.8")
    assert isinstance(checked["valproate_level_ug_ml"], Decimal)
    assert checked["antimanic_agents"] == ("lithium", "valproic acid")
    assert checked["madrs_item10"] is None
    assert checked["cssrs_level"] == "none"


@pytest.mark.parametrize(
    ("facts", "match"),
    [
        ({"agee_years": 30}, "unknown fact 'agee_years'"),
        ({"age_years": True}, "fact age_years: expected int"),
        ({"age_years": 30.0}, "fact age_years: expected int"),
        ({"age_years": "30"}, "fact age_years: expected int"),
        ({"pregnant": 1}, "fact pregnant: expected bool"),
        ({"pregnant": "yes"}, "fact pregnant: expected bool"),
        ({"lithium_level_mmol_l": "0.8"}, "fact lithium_level_mmol_l: expected number"),
        ({"lithium_level_mmol_l": float("nan")}, "fact lithium_level_mmol_l: expected number"),
        ({"lithium_level_mmol_l": True}, "fact lithium_level_mmol_l: expected number"),
        ({"current_episode": "sad"}, "fact current_episode: 'sad' is not one of"),
        ({"cssrs_level": 3}, "fact cssrs_level: expected enum"),
        ({"antimanic_agents": "lithium"}, "fact antimanic_agents: expected list_of_text"),
        ({"antimanic_agents": ["lithium", 3]}, "fact antimanic_agents: expected list_of_text"),
        ({"icd10_code": 31}, "fact icd10_code: expected text"),
        ({"madrs_item10": 7}, "fact madrs_item10: 7 is above 6"),
        ({"phq9_item9": -1}, "fact phq9_item9: -1 is below 0"),
        ({"resting_systolic_bp": -5}, "fact resting_systolic_bp: -5 is below 0"),
        ({"predose_spo2": 101}, "fact predose_spo2: 101 is above 100"),
        ({"current_moaas": 6}, "fact current_moaas: 6 is above 5"),
        ({"latest_cadss": 93}, "fact latest_cadss: 93 is above 92"),
        ({"route": "oral"}, "fact route: 'oral' is not one of"),
        ({"weight_kg": -1}, "fact weight_kg: -1 is below 0"),
    ],
)
def test_validate_facts_rejects_unknown_names_and_wrong_types(
    facts: dict[str, object], match: str
) -> None:
    """Each bad fact is refused with a ValueError naming it."""
    with pytest.raises(InvalidFactsError, match=match):
        validate_facts(facts)
    assert issubclass(InvalidFactsError, ValueError)


def test_catalogue_extends_and_refuses_duplicates() -> None:
    """A later issue adds facts by extending the catalogue; a repeated name is refused."""
    extra = FactSpec("home_systolic_bp", FactType.INT, "Home systolic BP", "mmHg")
    extended = FACT_CATALOGUE.extended(extra)
    assert extended.get("home_systolic_bp") == extra
    assert FACT_CATALOGUE.get("home_systolic_bp") is None
    with pytest.raises(ValueError, match="declared twice"):
        extended.extended(extra)


def test_spec_refuses_inconsistent_declarations() -> None:
    """Only enum facts list values; only numeric facts have a range."""
    with pytest.raises(ValueError, match="only an enum"):
        FactSpec("x", FactType.ENUM, "no values")
    with pytest.raises(ValueError, match="only a numeric"):
        FactSpec("x", FactType.BOOL, "ranged", minimum=0)
