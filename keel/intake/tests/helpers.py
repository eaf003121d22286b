"""Build complete evaluations for tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.accounts.selectors import Actor
from keel.intake.models import Evaluation
from keel.intake.services import baseline_rating_record, evaluation_start, evaluation_update
from keel.patients.models import Patient

# A depressed bipolar II patient on lithium with nothing that excludes ketamine.
CLEAN_ANSWERS: dict[str, object] = {
    "icd10_code": "F31.81",
    "bipolar_type": "bipolar_ii",
    "bipolar_diagnosis_confirmed": True,
    "current_episode": "depressed",
    "medicines_reviewed": True,
    "antimanic_agents": ["lithium"],
    "other_medications": "sertraline 100 mg daily",
    "lithium_level_mmol_l": Decimal("0.80"),
    "lithium_level_date": dt.date(2026, 11, 1),
    "psychosis_history": False,
    "psychosis_current": False,
    "suicide_attempt_history": False,
    "switch_on_antidepressant_history": False,
    "substance_use_disorder_active": False,
    "ketamine_misuse_history": False,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_haemorrhage_history": False,
    "ketamine_hypersensitivity": False,
    "bp_or_icp_rise_serious_risk": False,
    "recent_cardiovascular_event": False,
    "hypertensive_encephalopathy_history": False,
    "hyperthyroidism_uncontrolled": False,
    "preeclampsia_or_eclampsia": False,
    "raised_icp_or_eye_risk": False,
    "liver_disease_significant": False,
    "hypertension_diagnosed": False,
    "hypertension_controlled": True,
    "resting_systolic_bp": 122,
    "resting_diastolic_bp": 78,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_planned": False,
}
# Baseline ratings: MADRS 34 with item 10 = 1, YMRS 4, PHQ-9 18, QIDS 16, ASRM 2, C-SSRS none.
BASELINE: dict[str, list[int | None]] = {
    "madrs": [4, 4, 3, 4, 3, 4, 4, 4, 3, 1],
    "ymrs": [0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0],
    "phq9": [2, 3, 2, 2, 2, 2, 2, 2, 1],
    "qids_sr16": [2, 2, 1, 0, 3, 2, 0, 1, 0, 2, 2, 1, 2, 2, 1, 0],
    "asrm": [0, 0, 1, 0, 1],
    "cssrs_screen": [0, 0, None, None, None, 0, None],
}


def complete_evaluation(*, actor: Actor, patient: Patient, **changes: object) -> Evaluation:
    """A draft evaluation with every question answered (``changes`` override answers)."""
    evaluation = evaluation_start(actor=actor, patient=patient)
    evaluation_update(actor=actor, evaluation=evaluation, fields={**CLEAN_ANSWERS, **changes})
    for instrument_id, answers in BASELINE.items():
        baseline_rating_record(
            actor=actor, patient=patient, instrument_id=instrument_id, answers=answers
        )
    return evaluation
