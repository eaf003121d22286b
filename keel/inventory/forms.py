"""Forms for the ledger page: receipt, witnessed waste, witnessed count, correction, filters."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.inventory.models import Drug, EntryKind, Lot


class ReceiptForm(UswdsFormMixin, forms.Form):
    drug = forms.ChoiceField(label=_("Drug"), choices=Drug.choices)
    concentration_mg_per_ml = forms.DecimalField(
        label=_("Concentration (mg/mL)"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    lot_number = forms.CharField(label=_("Lot number"), max_length=64)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    expires_on = forms.DateField(
        label=_("Expiry date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity_ml = forms.DecimalField(
        label=_("Quantity received (mL)"), min_value=Decimal("0.01"), max_digits=7, decimal_places=2
    )
    reference = forms.CharField(label=_("Invoice or packing-slip number"), max_length=120)
    received_on = forms.DateField(
        label=_("Date received"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class _LotChoiceForm(UswdsFormMixin, forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none())

    def __init__(self, *args: object, lots: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if lots is not None:
            self.fields["lot"].queryset = lots  # type: ignore[attr-defined]  # ModelChoiceField


class _WitnessFields(forms.Form):
    witness_username = forms.CharField(label=_("Witness's username"), max_length=150)
    witness_password = forms.CharField(
        label=_("Witness's password"), max_length=128, widget=forms.PasswordInput
    )
    witness_otp_code = forms.CharField(
        label=_("Witness's authenticator code"),
        required=False,
        max_length=32,
        help_text=_("Needed when the witness uses two-step sign-in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class WasteForm(_LotChoiceForm, _WitnessFields):
    quantity_ml = forms.DecimalField(
        label=_("Quantity wasted (mL)"), min_value=Decimal("0.01"), max_digits=7, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    field_order = ["lot", "quantity_ml", "note", "witness_username", "witness_password"]


class CountForm(_LotChoiceForm, _WitnessFields):
    counted_ml = forms.DecimalField(
        label=_("Counted (mL)"), min_value=Decimal("0"), max_digits=7, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    field_order = ["lot", "counted_ml", "note", "witness_username", "witness_password"]


class CorrectionForm(UswdsFormMixin, forms.Form):
    corrects_sequence = forms.IntegerField(label=_("Entry number corrected"), min_value=1)
    quantity_ml = forms.DecimalField(
        label=_("Correction (mL)"),
        help_text=_("Positive adds to the lot's balance, negative takes from it."),
        max_digits=7,
        decimal_places=2,
    )
    reason = forms.CharField(
        label=_("Reason"), min_length=10, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilterForm(UswdsFormMixin, forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *EntryKind.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, lots: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if lots is not None:
            self.fields["lot"].queryset = lots  # type: ignore[attr-defined]  # ModelChoiceField
