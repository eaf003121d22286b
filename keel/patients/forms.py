"""The patient form used by the create and edit pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.patients.models import Patient, PsychiatristOfRecord
from keel.patients.services import EDITABLE_FIELDS


class PatientForm(UswdsFormMixin, forms.ModelForm[Patient]):
    """Demographics, contacts and the psychiatrist of record."""

    psychiatrist_of_record_id = forms.ModelChoiceField(
        queryset=PsychiatristOfRecord.objects.none(),
        required=False,
        label=_("Psychiatrist of record"),
        empty_label=_("Not recorded yet"),
    )

    class Meta:
        model = Patient
        # Every editable field except the psychiatrist, which has its own chooser above.
        fields = [name for name in EDITABLE_FIELDS if name != "psychiatrist_of_record_id"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
            "weight_kg": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(
        self,
        *args: Any,
        psychiatrists: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if psychiatrists is not None:
            self.fields["psychiatrist_of_record_id"].queryset = psychiatrists  # type: ignore[attr-defined]  # ModelChoiceField
        if self.instance.psychiatrist_of_record_id is not None:
            self.initial["psychiatrist_of_record_id"] = self.instance.psychiatrist_of_record_id
        for name in ("given_name", "family_name", "birth_date", "administrative_sex"):
            self.fields[name].required = True

    def service_fields(self) -> dict[str, object]:
        """The cleaned values in the shape the services take."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        psychiatrist = self.cleaned_data.get("psychiatrist_of_record_id")
        data["psychiatrist_of_record_id"] = psychiatrist.pk if psychiatrist is not None else None
        for name in (
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
        ):
            if data[name] is None:
                data[name] = ""
        return data

    def _post_clean(self) -> None:
        # Model validation happens in the service, which also checks clinic scope.
        pass
