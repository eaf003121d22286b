"""Reads for intake: the current evaluation, its protocol facts, decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from keel.intake.models import DecisionOutcome, EligibilityDecision, Evaluation, EvaluationStatus
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.selectors import assessment_latest_by_instrument
from keel.patients.models import Patient

FactValue = bool | int | Decimal | str | list[str] | None

# Evaluation yes/no questions that map one-to-one onto protocol facts.
BOOLEAN_FACTS: tuple[str, ...] = (
    "bipolar_diagnosis_confirmed",
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage_history",
    "ketamine_hypersensitivity",
    "bp_or_icp_rise_serious_risk",
    "recent_cardiovascular_event",
    "hypertensive_encephalopathy_history",
    "hyperthyroidism_uncontrolled",
    "preeclampsia_or_eclampsia",
    "raised_icp_or_eye_risk",
    "liver_disease_significant",
    "hypertension_diagnosed",
    "hypertension_controlled",
    "psychosis_history",
    "psychosis_current",
    "switch_on_antidepressant_history",
    "suicide_attempt_history",
    "pregnant",
    "breastfeeding",
    "pregnancy_planned",
    "substance_use_disorder_active",
    "ketamine_misuse_history",
)
# Baseline rating -> (fact name, what to read: "total", an item number, or "band").
BASELINE_FACTS: tuple[tuple[str, str, str | int], ...] = (
    ("madrs", "madrs_total", "total"),
    ("madrs", "madrs_item10", 10),
    ("ymrs", "ymrs_total", "total"),
    ("phq9", "phq9_total", "total"),
    ("phq9", "phq9_item9", 9),
    ("qids_sr16", "qids_total", "total"),
    ("asrm", "asrm_total", "total"),
    ("cssrs_screen", "cssrs_level", "band"),
)
BASELINE_INSTRUMENTS: tuple[str, ...] = (
    "madrs",
    "ymrs",
    "phq9",
    "qids_sr16",
    "asrm",
    "cssrs_screen",
)


def evaluation_current(*, patient: Patient) -> Evaluation | None:
    """The patient's draft evaluation, else their latest decided one."""
    return (
        Evaluation.objects.filter(patient=patient)
        # "draft" > "decided" as text, so descending status puts an open draft first.
        .order_by("-status", "-created_at", "-pk")
        .first()
    )


def decision_list(*, patient: Patient) -> QuerySet[EligibilityDecision]:
    """Every eligibility decision for the patient, newest first."""
    return EligibilityDecision.objects.filter(patient=patient).select_related("decided_by")


def decision_latest(*, patient: Patient) -> EligibilityDecision | None:
    """The newest eligibility decision, if any."""
    return decision_list(patient=patient).first()


def patient_is_eligible(*, patient: Patient) -> bool:
    """True when the newest eligibility decision says eligible."""
    latest = decision_latest(patient=patient)
    return latest is not None and latest.outcome == DecisionOutcome.ELIGIBLE


def _medicine_names(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        words = line.strip().split()
        if words:
            names.append(words[0].lower().strip(",;:"))
    return names


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _days_since(date: dt.date | None, day: dt.date) -> int | None:
    """Age in days of a level; a level dated "tomorrow" by a clock in another time zone is 0."""
    return None if date is None else max(0, (day - date).days)


def evaluation_facts(
    *, evaluation: Evaluation, today: dt.date | None = None
) -> dict[str, FactValue]:
    """The protocol facts of an evaluation and the patient's baseline ratings.

    Unanswered questions become None, which the protocol reports as missing
    information. Level ages are in days before ``today`` (the clinic's date).
    """
    patient = evaluation.patient
    day = today or timezone.localdate()
    reviewed = evaluation.medicines_reviewed is True
    facts: dict[str, FactValue] = {
        "age_years": _age_on(patient.birth_date, day),
        "icd10_code": evaluation.icd10_code or None,
        "bipolar_type": evaluation.bipolar_type or None,
        "current_episode": evaluation.current_episode or None,
        "resting_systolic_bp": evaluation.resting_systolic_bp,
        "resting_diastolic_bp": evaluation.resting_diastolic_bp,
        # An empty medicine list means "none" only once the list has been reviewed.
        "antimanic_agents": sorted(evaluation.antimanic_agents) if reviewed else None,
        "current_medications": (
            sorted(
                set(evaluation.antimanic_agents)
                | set(_medicine_names(evaluation.other_medications))
            )
            if reviewed
            else None
        ),
        "lithium_level_mmol_l": evaluation.lithium_level_mmol_l,
        "lithium_level_age_days": _days_since(evaluation.lithium_level_date, day),
        "valproate_level_ug_ml": evaluation.valproate_level_ug_ml,
        "valproate_level_age_days": _days_since(evaluation.valproate_level_date, day),
    }
    for name in BOOLEAN_FACTS:
        facts[name] = getattr(evaluation, name)
    baseline = assessment_latest_by_instrument(patient=patient, purpose=AssessmentPurpose.BASELINE)
    for instrument_id, fact, what in BASELINE_FACTS:
        assessment = baseline.get(instrument_id)
        value: FactValue = None
        if assessment is not None:
            if what == "total":
                value = assessment.total
            elif what == "band":
                value = assessment.band or None
            else:
                answer = assessment.answers[int(what) - 1]
                value = answer if isinstance(answer, int) else None
        facts[fact] = value
    return facts


def evaluation_draft(*, patient: Patient) -> Evaluation | None:
    """The patient's open draft evaluation, if any."""
    return Evaluation.objects.filter(patient=patient, status=EvaluationStatus.DRAFT).first()


# What each evaluation section must answer before it counts as complete.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Diagnosis", ("icd10_code", "bipolar_type", "bipolar_diagnosis_confirmed", "current_episode")),
    ("Medicines", ("medicines_reviewed",)),
    (
        "Psychiatric history",
        (
            "psychosis_history",
            "psychosis_current",
            "suicide_attempt_history",
            "switch_on_antidepressant_history",
        ),
    ),
    ("Substance use", ("substance_use_disorder_active", "ketamine_misuse_history")),
    (
        "Medical history",
        (
            "aneurysmal_vascular_disease",
            "arteriovenous_malformation",
            "intracerebral_haemorrhage_history",
            "ketamine_hypersensitivity",
            "bp_or_icp_rise_serious_risk",
            "recent_cardiovascular_event",
            "hypertensive_encephalopathy_history",
            "hyperthyroidism_uncontrolled",
            "preeclampsia_or_eclampsia",
            "raised_icp_or_eye_risk",
            "liver_disease_significant",
            "hypertension_diagnosed",
            "resting_systolic_bp",
            "resting_diastolic_bp",
            "pregnant",
            "breastfeeding",
            "pregnancy_planned",
        ),
    ),
    (
        "Baseline ratings",
        ("madrs_total", "ymrs_total", "phq9_total", "qids_total", "asrm_total", "cssrs_level"),
    ),
)


@dataclass(frozen=True)
class SectionProgress:
    """How much of one evaluation section is answered."""

    title: str
    answered: int
    total: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every question of the section is answered."""
        return self.answered == self.total


def evaluation_progress(
    *, evaluation: Evaluation, facts: dict[str, FactValue]
) -> tuple[SectionProgress, ...]:
    """Per-section completeness: a question is answered when its fact (or field) is not None."""
    progress = []
    for title, names in SECTIONS:
        missing = tuple(
            n for n in names if (facts[n] if n in facts else getattr(evaluation, n)) is None
        )
        progress.append(
            SectionProgress(
                title=title, answered=len(names) - len(missing), total=len(names), missing=missing
            )
        )
    return tuple(progress)
