"""Forms for the patient portal and the staff check-in pages.

Patient-facing words here are Keel's own: the diary's field labels and mood
anchors come from ``keel.clinical.instruments.diary`` (positive values say
"higher / more energetic than your usual, non-depressed self", never
"better"); a scale's wording comes from the clinic's text pack, or, in the
demo only, from Keel's item labels.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from keel.clinical.instruments import Instrument, Item
from keel.clinical.instruments import diary as diary_def
from keel.common.forms import UswdsFormMixin
from keel.monitoring.defaults import CoursePhase
from keel.monitoring.models import AssessmentPurpose, Frequency, PortalNotInvitedReason
from keel.monitoring.selectors import instrument_title
from keel.monitoring.services import SCHEDULABLE, VISIT_PURPOSES
from keel.monitoring.textpacks import PATIENT_SCALES

_USUAL = "your usual self"
_FIELD_LABELS = {f.name: capfirst(f.label) for f in diary_def.FIELDS}

#: Irritability and energy anchors in Keel's own words (REFERENCE.md §1.10 gives the ranges).
IRRITABILITY_CHOICES = [
    (0, "Not irritable"),
    (1, "A little irritable"),
    (2, "Quite irritable"),
    (3, "Very irritable"),
]
ENERGY_CHOICES = [
    (-3, f"Much lower than {_USUAL}"),
    (-2, f"Lower than {_USUAL}"),
    (-1, f"A little lower than {_USUAL}"),
    (0, f"Same as {_USUAL}"),
    (1, f"A little higher than {_USUAL}"),
    (2, f"Higher than {_USUAL}"),
    (3, f"Much higher than {_USUAL}"),
]
MOOD_CHOICES = [(a.value, capfirst(a.label)) for a in diary_def.MOOD_ANCHORS]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def new_idempotency_key() -> str:
    """A fresh key for one rendered form (a double-tapped submit sends it twice)."""
    return str(uuid.uuid4())


def _yes_no(value: str) -> bool:
    return value == "yes"


class IdempotentForm(UswdsFormMixin, forms.Form):
    """A portal form that carries the idempotency key generated when it was rendered."""

    idempotency_key = forms.RegexField(
        regex=r"^[A-Za-z0-9._:-]{1,64}$", widget=forms.HiddenInput, required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class DiaryForm(IdempotentForm):
    """Today's diary (REFERENCE.md §1.10): every field is required."""

    mood = forms.TypedChoiceField(
        label=_FIELD_LABELS["mood"],
        choices=MOOD_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 is how you are when you are not depressed."),
    )
    sleep_hours = forms.DecimalField(
        label=_FIELD_LABELS["sleep_hours"],
        min_value=diary_def.SLEEP_HOURS_MIN,
        max_value=diary_def.SLEEP_HOURS_MAX,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        help_text=_("In hours, for example 7 or 6.5."),
    )
    felt_less_need_for_sleep = forms.TypedChoiceField(
        label=_FIELD_LABELS["felt_less_need_for_sleep"],
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    irritability = forms.TypedChoiceField(
        label=_FIELD_LABELS["irritability"],
        choices=IRRITABILITY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    energy = forms.TypedChoiceField(
        label=_FIELD_LABELS["energy"],
        choices=ENERGY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    medication_taken_as_prescribed = forms.TypedChoiceField(
        label=_FIELD_LABELS["medication_taken_as_prescribed"],
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )

    def values(self) -> dict[str, Any]:
        """Cleaned values in the shape ``diary_submit`` takes."""
        data = self.cleaned_data
        return {
            "mood": data["mood"],
            "sleep_hours": Decimal(data["sleep_hours"]),
            "felt_less_need_for_sleep": data["felt_less_need_for_sleep"],
            "irritability": data["irritability"],
            "energy": data["energy"],
            "medication_taken_as_prescribed": data["medication_taken_as_prescribed"],
        }


@dataclass(frozen=True)
class Question:
    """One item as the portal shows it: its words, and one (value, words) pair per answer."""

    number: int
    text: str
    answers: tuple[tuple[int, str], ...]


def scale_questions(instrument: Instrument, pack_items: Mapping[str, Any] | None) -> list[Question]:
    """The pack's wording of each item; without a pack, Keel's labels (for the demo only)."""
    wording: Mapping[str, Any] = (pack_items or {}).get("items", {}) if pack_items else {}
    questions: list[Question] = []
    for item in instrument.items:
        entry = wording.get(str(item.number))
        if isinstance(entry, Mapping):
            answers = entry.get("answers", {})
            pairs = tuple(
                sorted((int(value), str(text)) for value, text in answers.items())
                if isinstance(answers, Mapping)
                else ()
            )
            questions.append(Question(item.number, str(entry.get("text", "")), pairs))
        else:
            questions.append(Question(item.number, capfirst(item.label), _demo_answers(item)))
    return questions


def _demo_answers(item: Item) -> tuple[tuple[int, str], ...]:
    if item.anchors:
        return tuple((a.value, capfirst(a.label)) for a in item.anchors)
    words = {item.min: f"{item.min} (least)", item.max: f"{item.max} (most)"}
    return tuple((v, words.get(v, str(v))) for v in range(item.min, item.max + 1))


class ScaleForm(IdempotentForm):
    """One scale in the portal: a radio group per question; a question may be left blank."""

    instrument = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"item_{question.number}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(v), text) for v, text in question.answers],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> list[int | None]:
        """One answer per item, in item order (None where left blank)."""
        return [self.cleaned_data.get(f"item_{q.number}") for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.questions and all(data.get(f"item_{q.number}") is None for q in self.questions):
            raise forms.ValidationError(_("Answer at least one question."))
        return data


class InvitationAcceptForm(UswdsFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Choose a username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password_again = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


# ---------------------------------------------------------------- staff forms


class AssignmentForm(UswdsFormMixin, forms.Form):
    instrument_id = forms.ChoiceField(
        label=_("Check-in"), choices=[(i, instrument_title(i)) for i in SCHEDULABLE]
    )
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    start_date = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PortalNotInvitedForm(UswdsFormMixin, forms.Form):
    """Why the patient is not invited to the portal."""

    reason = forms.ChoiceField(
        label=_("Not inviting because"),
        choices=PortalNotInvitedReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (needed for another reason)"), required=False, max_length=500
    )


class DefaultsForm(UswdsFormMixin, forms.Form):
    phase = forms.ChoiceField(
        label=_("Course phase"),
        choices=[(p.value, p.label) for p in CoursePhase],
        widget=forms.RadioSelect,
    )


class ClinicianRatingForm(UswdsFormMixin, forms.Form):
    """Item scores of a rating staff take at a visit (Keel's labels, not the official wording)."""

    purpose = forms.TypedChoiceField(
        label=_("When"),
        choices=[(p.value, p.label) for p in VISIT_PURPOSES],
        coerce=AssessmentPurpose,
        initial=AssessmentPurpose.PRE_SESSION.value,
        widget=forms.RadioSelect,
    )
    taken_at = forms.DateTimeField(
        label=_("Taken at (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    idempotency_key = forms.RegexField(
        regex=r"^[A-Za-z0-9._:-]{1,64}$", widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
        self.instrument = instrument
        for item in instrument.items:
            choices = [("", _("Not rated"))] + [
                (str(v), str(v)) for v in range(item.min, item.max + 1)
            ]
            field = forms.TypedChoiceField(
                label=f"{item.number}. {capfirst(item.label)}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=f"{item.min}-{item.max}",
            )
            field.widget.attrs["class"] = "usa-select"
            self.fields[f"item_{item.number}"] = field

    def answers(self) -> list[int | None]:
        """The answers in item order (None for items left unrated)."""
        return [self.cleaned_data.get(f"item_{item.number}") for item in self.instrument.items]


class TextPackForm(UswdsFormMixin, forms.Form):
    questionnaire_file = forms.FileField(
        label=_("FHIR Questionnaire (JSON file)"),
        help_text=_("For example the LOINC PHQ-9 Questionnaire (44249-1)."),
    )
    instrument_id = forms.ChoiceField(
        label=_("Scale"),
        required=False,
        choices=[("", _("Find it from the LOINC code"))]
        + [(i, instrument_title(i)) for i in PATIENT_SCALES],
    )
    language = forms.CharField(
        label=_("Language"), required=False, max_length=16, help_text=_("e.g. en-US")
    )
    source = forms.CharField(
        label=_("Source of the wording"),
        max_length=300,
        help_text=_("Who publishes it and where the file came from."),
    )
    licence_note = forms.CharField(
        label=_("Licence note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left empty: the questionnaire's own copyright statement."),
    )
