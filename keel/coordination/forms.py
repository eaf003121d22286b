"""Forms for coordination pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin


class AcknowledgeForm(UswdsFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment for the clinic (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I have read the plan and acknowledge it as the patient's psychiatrist of record"),
        required=True,
    )


class ExceptionForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the psychiatrist's acknowledgement was not possible"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptInvitationForm(UswdsFormMixin, forms.Form):
    username = forms.CharField(label=_("Choose a username"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
