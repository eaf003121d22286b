"""Forms for the evaluation, baseline ratings and the eligibility decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.intake.models import AntimanicAgent, DecisionOutcome, Evaluation

YES_NO_UNKNOWN = [("", _("Not asked yet")), ("true", _("Yes")), ("false", _("No"))]

SECTION_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Diagnosis", ("icd10_code", "bipolar_type", "bipolar_diagnosis_confirmed", "current_episode")),
    (
        "Medicines",
        (
            "medicines_reviewed",
            "antimanic_agents",
            "other_medications",
            "lithium_level_mmol_l",
            "lithium_level_date",
            "valproate_level_ug_ml",
            "valproate_level_date",
        ),
    ),
    (
        "Prior treatments",
        ("antidepressant_trials", "ect_history", "prior_ketamine", "prior_treatments_notes"),
    ),
    (
        "Psychiatric history",
        (
            "psychosis_history",
            "psychosis_current",
            "suicide_attempt_history",
            "psychiatric_hospitalisations",
            "switch_on_antidepressant_history",
        ),
    ),
    (
        "Substance use",
        ("substance_use_disorder_active", "ketamine_misuse_history", "substance_notes"),
    ),
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
            "hypertension_controlled",
            "resting_systolic_bp",
            "resting_diastolic_bp",
            "pregnant",
            "breastfeeding",
            "pregnancy_planned",
            "medical_notes",
        ),
    ),
)
EVALUATION_FIELDS: tuple[str, ...] = tuple(
    name for _title, names in SECTION_FIELDS for name in names
)


class YesNoUnknownField(forms.TypedChoiceField):
    """Yes / No / Not asked yet; "not asked" stays None (missing information)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(
            choices=YES_NO_UNKNOWN,
            coerce=lambda v: v == "true",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "initial"}},
        )

    def prepare_value(self, value: object) -> object:
        """Show a stored True/False as the matching radio."""
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value


class EvaluationForm(UswdsFormMixin, forms.ModelForm[Evaluation]):
    """Every evaluation question; a draft may be saved with any of them unanswered."""

    antimanic_agents = forms.MultipleChoiceField(
        label=_("Mood stabilizers and antimanic medicines taken now"),
        choices=AntimanicAgent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Evaluation
        fields = list(EVALUATION_FIELDS)
        widgets = {
            "lithium_level_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valproate_level_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "other_medications": forms.Textarea(attrs={"rows": 4}),
            "prior_treatments_notes": forms.Textarea(attrs={"rows": 3}),
            "substance_notes": forms.Textarea(attrs={"rows": 2}),
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
            "lithium_level_mmol_l": forms.NumberInput(
                attrs={"step": "0.01", "inputmode": "decimal"}
            ),
            "valproate_level_ug_ml": forms.NumberInput(
                attrs={"step": "0.1", "inputmode": "decimal"}
            ),
        }
        field_classes = {
            name: YesNoUnknownField
            for name in EVALUATION_FIELDS
            if Evaluation._meta.get_field(name).get_internal_type() == "BooleanField"
        }

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields grouped as the page shows them."""
        return [(title, [self[name] for name in names]) for title, names in SECTION_FIELDS]

    def service_fields(self) -> dict[str, object]:
        """Cleaned values keyed by field name, in the shape the service takes."""
        return {name: self.cleaned_data.get(name) for name in EVALUATION_FIELDS}

    def _post_clean(self) -> None:
        # Model validation runs in the service.
        pass


class AssessmentForm(UswdsFormMixin, forms.Form):
    """Item scores of one clinician-entered rating; built from the instrument's items."""

    def __init__(self, *args: Any, items: tuple[Any, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            choices = [("", _("Not rated"))] + [
                (str(v), str(v)) for v in range(item.min, item.max + 1)
            ]
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.label}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=f"{item.min}-{item.max}",
            )
        self._apply_widget_classes()

    def _apply_widget_classes(self) -> None:
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-select"

    def answers(self, count: int) -> list[int | None]:
        """The answers in item order (None for items left unrated)."""
        return [self.cleaned_data.get(f"item_{n}") for n in range(1, count + 1)]


class DecisionForm(UswdsFormMixin, forms.Form):
    """The physician's decision; override reasons are added per overridable finding."""

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for 'not eligible' and 'deferred'."),
    )
    treatment_plan = forms.CharField(
        label=_("Proposed treatment plan"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required for 'eligible': route, dose plan, schedule. The psychiatrist of record acknowledges it."
        ),
    )
    mood_stabilizer_plan = forms.CharField(
        label=_("Mood-stabilizer plan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required for 'eligible': how antimanic treatment continues alongside ketamine."
        ),
    )

    def __init__(
        self,
        *args: Any,
        overridable: list[tuple[str, str]],
        note_required_for: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if note_required_for:
            self.fields["note"].help_text = _(
                "Required for every decision: record what was done before deciding, as the "
                "caution asks: %(titles)s."
            ) % {"titles": "; ".join(note_required_for)}
        for rule_id, title in overridable:
            self.fields[f"override__{rule_id}"] = forms.CharField(
                label=_("Reason for accepting despite: %(title)s") % {"title": title},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
            )

    def ordered_fields(self) -> list[forms.BoundField]:
        """Override reasons first (next to the findings), then the plan, then the note."""
        names = [n for n in self.fields if n.startswith("override__")]
        names += ["treatment_plan", "mood_stabilizer_plan", "note"]
        return [self[name] for name in names]

    def overrides(self) -> dict[str, str]:
        """Rule id -> written reason, for the reasons that were given."""
        prefix = "override__"
        return {
            name[len(prefix) :]: str(value).strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and str(value or "").strip()
        }
