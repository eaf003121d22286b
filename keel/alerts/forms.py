"""Alert forms: list filters, lifecycle notes, the on-call rota and the report range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.accounts.catalogue import AlertPerm, permissions_for
from keel.accounts.models import Clinic, Membership
from keel.accounts.roles import AccountType, Role
from keel.alerts.models import (
    AlertCategory,
    AlertStatus,
    ContactMethod,
    CssrsLevel,
    DosingDecision,
    RiskBasis,
)
from keel.common.forms import UswdsFormMixin
from keel.monitoring.models import Assessment

STATUS_CHOICES = [
    ("active", _("Open and acknowledged")),
    (AlertStatus.OPEN.value, AlertStatus.OPEN.label),
    (AlertStatus.ACKNOWLEDGED.value, AlertStatus.ACKNOWLEDGED.label),
    (AlertStatus.RESOLVED.value, AlertStatus.RESOLVED.label),
]


class AlertFilterForm(UswdsFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *AlertCategory.choices],
        required=False,
    )

    def selected_statuses(self) -> list[str]:
        """The statuses to list (open and acknowledged unless one is chosen)."""
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        if not status or status == "active":
            return [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        return [status]

    def selected_category(self) -> str:
        return str(self.cleaned_data.get("category") or "") if self.is_valid() else ""


RISK_LEVEL_CHOICES = [("", _("Choose a level")), *CssrsLevel.choices]
YES_NO = [("yes", _("Yes")), ("no", _("No, not reached (for example a voicemail)"))]


def cssrs_choices(ratings: list[Assessment]) -> list[tuple[str, object]]:
    """C-SSRS ratings as (id, "date time, form: level") choices, newest first."""
    return [("", _("None stored (give the level)"))] + [
        (
            str(r.pk),
            f"{timezone.localtime(r.taken_at):%Y-%m-%d %H:%M}, "
            f"{'since last visit' if r.instrument_id.endswith('visit') else 'screener'}: "
            f"{r.band or 'incomplete'}",
        )
        for r in ratings
    ]


class ResolveForm(UswdsFormMixin, forms.Form):
    action_taken = forms.CharField(
        label=_("Action taken"),
        max_length=4000,
        required=False,  # the service requires it, after the state checks (422 naming it)
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, by whom, and the plan (stored with the alert)."),
    )
    # The assessment a tier 2 / tier 3 / C-SSRS moderate or high alert needs (REFERENCE §7);
    # the service names what is missing.
    risk_basis = forms.ChoiceField(
        label=_("The risk assessment rests on"),
        choices=RiskBasis.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    cssrs_id = forms.ChoiceField(label=_("C-SSRS taken since the alert"), required=False)
    risk_level = forms.ChoiceField(
        label=_("Risk level (C-SSRS result or your judgement)"),
        choices=RISK_LEVEL_CHOICES,
        required=False,
    )
    safety_plan_step = forms.CharField(
        label=_("Safety-plan step taken"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: safety plan reviewed and updated, lethal-means counselling."),
    )

    def __init__(self, *args: Any, cssrs: list[Assessment] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_resolve_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["cssrs_id"]
        if isinstance(field, forms.ChoiceField):
            field.choices = cssrs_choices(cssrs or [])


class ContactForm(UswdsFormMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("How"),
        choices=[("", _("Choose how")), *ContactMethod.choices],
        required=False,  # required by the service for suicidality alerts (422 naming it)
    )
    reached = forms.ChoiceField(
        label=_("Was the patient reached?"),
        choices=YES_NO,
        initial="yes",
        widget=forms.RadioSelect,
    )
    contacted_at = forms.DateTimeField(
        label=_("When (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    contacted_by_id = forms.TypedChoiceField(
        label=_("Who made the contact"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Contact note (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, clinicians: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "id_contact_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["contacted_by_id"]
        if isinstance(field, forms.TypedChoiceField):
            field.choices = [("", _("Me")), *(clinicians or [])]


class DosingAssessmentForm(UswdsFormMixin, forms.Form):
    """A physician's same-day assessment and dosing decision (REFERENCE §7 tier 2)."""

    cssrs_id = forms.ChoiceField(
        label=_("C-SSRS since last visit, done in this visit"), required=False
    )
    cssrs_level = forms.ChoiceField(
        label=_("Its level, if done on paper"), choices=RISK_LEVEL_CHOICES, required=False
    )
    decision = forms.ChoiceField(
        label=_("Dosing decision"),
        choices=DosingDecision.choices,
        required=False,  # required by the service (422 naming it)
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, cssrs: list[Assessment] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_assess_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["cssrs_id"]
        if isinstance(field, forms.ChoiceField):
            field.choices = cssrs_choices(cssrs or [])


def clinician_choices(clinic: Clinic) -> list[tuple[int, str]]:
    """The clinic's active staff who may record a contact (AlertPerm.RESOLVE)."""
    choices = []
    memberships = Membership.objects.filter(
        clinic=clinic, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user__last_name", "user__username"):
        role = Role(membership.role)
        if AlertPerm.RESOLVE in permissions_for(role=role, account_type=AccountType.STAFF):
            user = membership.user
            choices.append((int(user.pk), user.get_full_name() or user.get_username()))
    return choices


class ReviewForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("What the psychiatrist concluded (required)"),
        max_length=4000,
        required=False,  # required by the service
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClearHoldForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Why the next session may go ahead"),
        max_length=4000,
        required=False,  # required by the service
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def on_call_candidates(clinic: Clinic) -> list[tuple[int, str]]:
    """The clinic's active staff who may acknowledge alerts, as (user id, label)."""
    choices = []
    memberships = Membership.objects.filter(
        clinic=clinic, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user__last_name", "user__username"):
        role = Role(membership.role)
        if AlertPerm.ACKNOWLEDGE in permissions_for(role=role, account_type=AccountType.STAFF):
            user = membership.user
            name = user.get_full_name() or user.get_username()
            choices.append((int(user.pk), f"{name} ({role.label})"))
    return choices


class OnCallForm(UswdsFormMixin, forms.Form):
    user_id = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=[])
    rank = forms.IntegerField(
        label=_("Rank (1 is called first; empty: last)"),
        min_value=1,
        max_value=99,
        required=False,
    )
    phone = forms.CharField(label=_("Phone while on call"), max_length=32, required=False)
    starts_on = forms.DateField(
        label=_("From (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user_id"]
        if isinstance(field, forms.TypedChoiceField):
            field.choices = [("", _("Choose a staff member")), *on_call_candidates(clinic)]


class ReportForm(UswdsFormMixin, forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data
