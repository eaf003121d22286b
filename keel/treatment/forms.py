"""Forms for the course and the chairside session page."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.treatment.models import (
    DIASTOLIC_RANGE,
    HEART_RATE_RANGE,
    RESPIRATORY_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_RANGE,
    AdverseEventCategory,
    ExitDecision,
    HandOffKind,
    Route,
    VitalContext,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CourseForm(UswdsFormMixin, forms.Form):
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    dose_mg_per_kg = forms.DecimalField(
        label=_("Dose (mg/kg)"),
        required=False,
        max_digits=4,
        decimal_places=2,
        help_text=_("IV/IM racemic ketamine. The bipolar trials used 0.5 mg/kg over 40 minutes."),
    )
    esketamine_dose_mg = forms.TypedChoiceField(
        label=_("Esketamine dose"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), ("28", "28 mg"), ("56", "56 mg"), ("84", "84 mg")],
    )
    induction_sessions = forms.IntegerField(
        label=_("Induction sessions"), min_value=1, max_value=24, initial=6
    )
    maintenance_sessions = forms.IntegerField(
        label=_("Maintenance sessions"), min_value=0, max_value=104, initial=0
    )
    schedule_note = forms.CharField(
        label=_("Schedule"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. Mon/Wed/Fri for two weeks, then review."),
    )


class ScheduleForm(UswdsFormMixin, forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class CheckInForm(UswdsFormMixin, forms.Form):
    escort_name = forms.CharField(label=_("Escort's name"), max_length=200, required=False)
    escort_phone = forms.CharField(label=_("Escort's phone"), max_length=32, required=False)


class VitalsForm(UswdsFormMixin, forms.Form):
    context = forms.ChoiceField(label=_("When"), choices=VitalContext.choices)
    systolic_bp = forms.IntegerField(
        label=_("Systolic BP (mmHg)"), min_value=SYSTOLIC_RANGE[0], max_value=SYSTOLIC_RANGE[1]
    )
    diastolic_bp = forms.IntegerField(
        label=_("Diastolic BP (mmHg)"), min_value=DIASTOLIC_RANGE[0], max_value=DIASTOLIC_RANGE[1]
    )
    heart_rate = forms.IntegerField(
        label=_("Heart rate (/min)"), min_value=HEART_RATE_RANGE[0], max_value=HEART_RATE_RANGE[1]
    )
    spo2 = forms.IntegerField(label=_("SpO2 (%)"), min_value=SPO2_RANGE[0], max_value=SPO2_RANGE[1])
    respiratory_rate = forms.IntegerField(
        label=_("Respiratory rate (/min)"),
        required=False,
        min_value=RESPIRATORY_RATE_RANGE[0],
        max_value=RESPIRATORY_RATE_RANGE[1],
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class AbortForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the session ends here"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the booking is cancelled"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandOffForm(UswdsFormMixin, forms.Form):
    """How a dosed session ends without discharge (physicians)."""

    kind = forms.ChoiceField(
        label=_("How the session ends"),
        choices=HandOffKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    destination = forms.CharField(
        label=_("Transferred to (emergency transfer)"),
        max_length=200,
        required=False,
        help_text=_("e.g. the emergency department of the hospital, and how: ambulance."),
    )
    informed = forms.CharField(
        label=_("Who was told (left against medical advice)"),
        max_length=200,
        required=False,
        help_text=_("e.g. the escort, the psychiatrist of record."),
    )
    escort_present = forms.TypedChoiceField(
        label=_("An escort was with the patient (left against medical advice)"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    instructions = forms.CharField(
        label=_("Instructions given"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


YES_NO = [("true", _("Yes")), ("false", _("No"))]


def _yes_no(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "true", widget=forms.RadioSelect
    )


class ChecklistForm(UswdsFormMixin, forms.Form):
    """The go / no-go questions (vitals and ratings are recorded on their own)."""

    weight_kg = forms.DecimalField(
        label=_("Weight today (kg)"), max_digits=5, decimal_places=1, min_value=25, max_value=350
    )
    escort_confirmed = _yes_no(
        _("Escort's name and phone confirmed, and they will take the patient home")
    )
    fasting_confirmed = _yes_no(
        _("Fasting as instructed (esketamine: no food 2 h, no drink 30 min)")
    )
    pregnancy_status = forms.ChoiceField(
        label=_("Pregnancy"),
        choices=[
            ("not_applicable", _("Not applicable")),
            ("negative", _("Test negative")),
            ("positive", _("Test positive")),
            ("unknown", _("Not known")),
        ],
    )
    med_change_benzodiazepine = _yes_no(
        _("Benzodiazepine started, stopped or changed since the last session")
    )
    med_change_lamotrigine_dose = _yes_no(_("Lamotrigine dose changed since the last session"))
    med_change_stimulant = _yes_no(_("Stimulant started or changed since the last session"))
    med_change_maoi = _yes_no(_("MAOI started since the last session"))
    adverse_event_since_last = _yes_no(_("Adverse event since the last session"))
    acute_intoxication = _yes_no(_("Signs of alcohol or drug intoxication today"))


class DoseForm(UswdsFormMixin, forms.Form):
    weight_kg = forms.DecimalField(
        label=_("Dosing weight (kg)"),
        max_digits=5,
        decimal_places=1,
        min_value=25,
        max_value=350,
        required=False,
    )
    concentration_mg_per_ml = forms.DecimalField(
        label=_("Concentration (mg/mL)"), max_digits=6, decimal_places=2, min_value=Decimal("0.01")
    )
    lot = forms.CharField(label=_("Lot number"), max_length=64)


class DischargeForm(UswdsFormMixin, forms.Form):
    escort_present = forms.BooleanField(
        label=_("The escort is here to take the patient home"), required=False
    )
    escort_name = forms.CharField(
        label=_("Escort at hand-off (name)"), max_length=200, required=False
    )
    no_driving_acknowledged = forms.BooleanField(
        label=_("The patient understands: no driving until the next day, after a restful sleep"),
        required=False,
    )


class ExitCheckForm(UswdsFormMixin, forms.Form):
    """The exit check before discharge (REFERENCE.md section 6, "Safety" and "Mobility")."""

    new_suicidal_ideation = _yes_no(_("New suicidal ideation"))
    mood_elevation = _yes_no(_("Mood elevation still present"))
    perceptual_change = _yes_no(_("Perceptual change still present"))
    walks_steadily = _yes_no(_("Walks steadily without help"))
    nausea_or_dizziness = _yes_no(_("Significant nausea or dizziness"))
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExitDecisionForm(UswdsFormMixin, forms.Form):
    """A physician's decision on a positive exit check."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=ExitDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdverseEventForm(UswdsFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("What happened"), choices=AdverseEventCategory.choices)
    occurred_at = forms.DateTimeField(
        label=_("Time it happened (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_taken = forms.CharField(
        label=_("Action taken"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was given or done, with doses and times; or that nothing was."),
    )
