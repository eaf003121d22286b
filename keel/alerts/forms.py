"""Alert forms: list filters, lifecycle notes, the on-call rota and the report range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.accounts.catalogue import AlertPerm, permissions_for
from keel.accounts.models import Clinic, Membership
from keel.accounts.roles import AccountType, Role
from keel.alerts.models import AlertCategory, AlertStatus
from keel.common.forms import UswdsFormMixin

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


class ResolveForm(UswdsFormMixin, forms.Form):
    action_taken = forms.CharField(
        label=_("Action taken"),
        max_length=4000,
        required=False,  # the service requires it, after the state checks (422 naming it)
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, by whom, and the plan (stored with the alert)."),
    )


class ContactForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Contact note (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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
