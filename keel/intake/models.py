"""The structured intake evaluation and the physician's eligibility decision."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.common.models import BaseModel
from keel.patients.models import Patient

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ICD10_BIPOLAR = RegexValidator(
    r"^F31(\.[0-9]{1,2})?$", _("Enter a bipolar disorder code from ICD-10-CM F31, e.g. F31.81.")
)
# Input plausibility bounds (not clinical thresholds).
BP_SYSTOLIC_RANGE = (50, 300)
BP_DIASTOLIC_RANGE = (20, 200)
LITHIUM_MAX = Decimal("5.00")
VALPROATE_MAX = Decimal("500.0")


class BipolarType(models.TextChoices):
    BIPOLAR_I = "bipolar_i", _("Bipolar I")
    BIPOLAR_II = "bipolar_ii", _("Bipolar II")
    OTHER_SPECIFIED = "other_specified", _("Other specified bipolar disorder")
    UNSPECIFIED = "unspecified", _("Unspecified bipolar disorder")


class CurrentEpisode(models.TextChoices):
    DEPRESSED = "depressed", _("Depressed")
    HYPOMANIC = "hypomanic", _("Hypomanic")
    MANIC = "manic", _("Manic")
    MIXED = "mixed", _("Mixed features")
    EUTHYMIC = "euthymic", _("Euthymic")
    UNSPECIFIED = "unspecified", _("Unspecified")


class AntimanicAgent(models.TextChoices):
    """Mood-stabilising and antimanic medicines offered as choices (generic names).

    Which of them qualify is the protocol's business (REFERENCE.md section 10).
    """

    LITHIUM = "lithium", _("Lithium")
    VALPROATE = "valproate", _("Valproate / divalproex")
    CARBAMAZEPINE = "carbamazepine", _("Carbamazepine")
    LAMOTRIGINE = "lamotrigine", _("Lamotrigine")
    ARIPIPRAZOLE = "aripiprazole", _("Aripiprazole")
    ASENAPINE = "asenapine", _("Asenapine")
    CARIPRAZINE = "cariprazine", _("Cariprazine")
    OLANZAPINE = "olanzapine", _("Olanzapine")
    QUETIAPINE = "quetiapine", _("Quetiapine")
    RISPERIDONE = "risperidone", _("Risperidone")
    ZIPRASIDONE = "ziprasidone", _("Ziprasidone")
    LURASIDONE = "lurasidone", _("Lurasidone")
    LUMATEPERONE = "lumateperone", _("Lumateperone")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DECIDED = "decided", _("Decided")


def _yes_no(label: StrOrPromise) -> models.BooleanField[bool | None, bool | None]:
    """A question that can be yes, no or not yet asked (None: missing information)."""
    return models.BooleanField(label, null=True, blank=True)


class Evaluation(BaseModel):
    """The structured intake (DOMAIN.md "evaluation"); drafts allowed; its facts feed the protocol.

    Every yes/no question is nullable on purpose: an unanswered question is
    missing information for the protocol, never a silent "no".
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(
        max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )

    # Diagnosis
    icd10_code = models.CharField(
        _("ICD-10-CM code"), max_length=8, blank=True, validators=[ICD10_BIPOLAR]
    )
    bipolar_type = models.CharField(
        _("bipolar disorder type"), max_length=20, choices=BipolarType.choices, blank=True
    )
    bipolar_diagnosis_confirmed = _yes_no(_("diagnosis confirmed by the psychiatrist of record"))
    current_episode = models.CharField(
        _("current episode"), max_length=20, choices=CurrentEpisode.choices, blank=True
    )

    # Medicines
    medicines_reviewed = _yes_no(_("current medicine list reviewed with the patient"))
    antimanic_agents = models.JSONField(
        _("mood stabilizers / antimanic medicines"), default=list, blank=True
    )
    other_medications = models.TextField(
        _("other current medicines"),
        blank=True,
        max_length=2000,
        help_text=_("One per line, generic name first, e.g. 'sertraline 100 mg daily'."),
    )
    lithium_level_mmol_l = models.DecimalField(
        _("lithium level (mmol/L)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(LITHIUM_MAX)],
    )
    lithium_level_date = models.DateField(_("lithium level date"), null=True, blank=True)
    valproate_level_ug_ml = models.DecimalField(
        _("valproate level (µg/mL)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(VALPROATE_MAX)],
    )
    valproate_level_date = models.DateField(_("valproate level date"), null=True, blank=True)

    # Prior treatments
    antidepressant_trials = models.PositiveSmallIntegerField(
        _("adequate antidepressant trials"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(50)],
    )
    prior_treatments_notes = models.TextField(_("prior treatments"), blank=True, max_length=2000)
    ect_history = _yes_no(_("ECT in the past"))
    prior_ketamine = _yes_no(_("ketamine or esketamine before"))

    # Psychiatric history
    psychosis_history = _yes_no(_("psychosis ever"))
    psychosis_current = _yes_no(_("psychotic symptoms now"))
    suicide_attempt_history = _yes_no(_("suicide attempt ever"))
    psychiatric_hospitalisations = models.PositiveSmallIntegerField(
        _("psychiatric hospital admissions"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
    )
    switch_on_antidepressant_history = _yes_no(_("switched into (hypo)mania on an antidepressant"))

    # Substance use
    substance_use_disorder_active = _yes_no(_("active substance use disorder"))
    ketamine_misuse_history = _yes_no(_("ketamine misuse ever"))
    substance_notes = models.TextField(_("substance use notes"), blank=True, max_length=2000)

    # Medical history
    aneurysmal_vascular_disease = _yes_no(_("aneurysmal vascular disease"))
    arteriovenous_malformation = _yes_no(_("arteriovenous malformation"))
    intracerebral_haemorrhage_history = _yes_no(_("intracerebral haemorrhage ever"))
    ketamine_hypersensitivity = _yes_no(_("hypersensitivity to ketamine or esketamine"))
    bp_or_icp_rise_serious_risk = _yes_no(
        _("condition where a rise in blood pressure or intracranial pressure is dangerous")
    )
    recent_cardiovascular_event = _yes_no(
        _("heart attack, unstable angina, revascularisation, stroke or TIA in the last 12 months")
    )
    hypertensive_encephalopathy_history = _yes_no(_("hypertensive encephalopathy ever"))
    hyperthyroidism_uncontrolled = _yes_no(_("untreated or poorly controlled hyperthyroidism"))
    preeclampsia_or_eclampsia = _yes_no(_("pre-eclampsia or eclampsia"))
    raised_icp_or_eye_risk = _yes_no(
        _(
            "untreated glaucoma, penetrating eye injury, raised intracranial pressure or brain injury"
        )
    )
    liver_disease_significant = _yes_no(_("significant liver disease"))
    hypertension_diagnosed = _yes_no(_("high blood pressure diagnosed"))
    hypertension_controlled = _yes_no(_("high blood pressure well controlled"))
    resting_systolic_bp = models.PositiveSmallIntegerField(
        _("resting systolic BP (mmHg)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(BP_SYSTOLIC_RANGE[0]),
            MaxValueValidator(BP_SYSTOLIC_RANGE[1]),
        ],
    )
    resting_diastolic_bp = models.PositiveSmallIntegerField(
        _("resting diastolic BP (mmHg)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(BP_DIASTOLIC_RANGE[0]),
            MaxValueValidator(BP_DIASTOLIC_RANGE[1]),
        ],
    )
    pregnant = _yes_no(_("pregnant"))
    breastfeeding = _yes_no(_("breastfeeding"))
    pregnancy_planned = _yes_no(_("planning a pregnancy"))
    medical_notes = models.TextField(_("medical notes"), blank=True, max_length=4000)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="draft"),
                name="evaluation_one_draft_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(resting_systolic_bp__isnull=True)
                | models.Q(resting_diastolic_bp__isnull=True)
                | models.Q(resting_systolic_bp__gt=models.F("resting_diastolic_bp")),
                name="evaluation_bp_systolic_above_diastolic",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} of patient {self.patient_id} ({self.status})"


class DecisionOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DEFERRED = "deferred", _("Deferred")


class EligibilityDecision(models.Model):
    """The physician's decision with its provenance (ARCHITECTURE.md "Decisions carry provenance").

    Stores the protocol id and version, the exact facts and parameters used,
    every finding and the ids of the rules that fired, so re-running the
    protocol on the stored facts reproduces the findings. Append-only.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="eligibility_decisions"
    )
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    note = models.TextField(blank=True, max_length=4000)
    treatment_plan = models.TextField(
        _("proposed treatment plan"),
        blank=True,
        max_length=4000,
        help_text=_("Route, dose plan and schedule as proposed to the psychiatrist of record."),
    )
    mood_stabilizer_plan = models.TextField(
        _("mood-stabilizer plan"),
        blank=True,
        max_length=2000,
        help_text=_("How antimanic treatment continues alongside ketamine."),
    )
    overrides = models.JSONField(
        default=dict, help_text=_("Rule id -> the physician's written reason for overriding it.")
    )
    protocol_id = models.CharField(max_length=64)
    protocol_version = models.CharField(max_length=32)
    facts = models.JSONField()
    params = models.JSONField(default=dict)
    findings = models.JSONField()
    fired_rule_ids = models.JSONField(default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for patient {self.patient_id} ({self.decided_at:%Y-%m-%d})"
