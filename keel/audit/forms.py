"""Filters for the audit trail page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.audit.models import AuditAction, AuditOutcome
from keel.common.forms import UswdsFormMixin

SORT_CHOICES = [
    ("-occurred_at", _("Newest first")),
    ("occurred_at", _("Oldest first")),
    ("actor_username", _("User")),
    ("patient_id", _("Patient")),
    ("action", _("Action")),
    ("object_type", _("Record type")),
    ("outcome", _("Outcome")),
    ("client_address", _("Address")),
]


class AuditFilterForm(UswdsFormMixin, forms.Form):
    """Time window, who, which patient, what, and the sort order."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    patient_id = forms.IntegerField(label=_("Patient id"), required=False, min_value=1)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any")), *AuditOutcome.choices]
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def clean(self) -> dict[str, object]:
        """The window must not end before it starts."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
