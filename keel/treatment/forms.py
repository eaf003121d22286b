"""Forms for the course and the chairside session page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.treatment.models import (
    DIASTOLIC_RANGE,
    HEART_RATE_RANGE,
    RESPIRATORY_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_RANGE,
    Route,
    VitalContext,
)


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
