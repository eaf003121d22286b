"""Forms for the second factor: a code from the authenticator app, or a recovery code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin


class TotpCodeForm(UswdsFormMixin, forms.Form):
    """The 6-digit code an authenticator app shows now."""

    code = forms.CharField(
        label=_("Authentication code"),
        help_text=_("The 6-digit code your authenticator app shows now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        """Digits only (spaces people copy along are dropped)."""
        code = str(self.cleaned_data["code"]).replace(" ", "").strip()
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code


class RecoveryCodeForm(UswdsFormMixin, forms.Form):
    """One of the single-use recovery codes shown at enrolment."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_(
            "One of the codes you saved when you set up two-step sign-in, like abcde-12345."
        ),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
