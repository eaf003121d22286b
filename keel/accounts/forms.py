"""Forms for signing in and managing API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from keel.accounts.catalogue import SCOPE_DESCRIPTIONS, TokenScope
from keel.common.forms import UswdsFormMixin


class LoginForm(AuthenticationForm):
    """Username and password; the labels and autocomplete hints a password manager expects."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ApiTokenForm(UswdsFormMixin, forms.Form):
    """Issue a personal access token."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(s.value, f"{s.value}: {SCOPE_DESCRIPTIONS[s]}") for s in TokenScope],
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=30)
