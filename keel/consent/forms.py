"""Forms of the consent pages. The services hold the rules; forms only parse input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.common.forms import UswdsFormMixin
from keel.consent.models import BODY_MAX, REASON_MAX, SIGNED_NAME_MAX, TITLE_MAX, Topic

BODY_HEIGHT = "height-mobile"
TEXT_HELP = _(
    "Plain text. Leave a blank line between paragraphs. Start a line with “## ” for a "
    "heading and with “- ” for a list item. Web links and HTML are shown as typed."
)


class DocumentForm(UswdsFormMixin, forms.Form):
    """Title and text of a consent form or education page version."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        help_text=TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 24}),
        strip=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A consent text is long: a taller box than USWDS's 10rem default.
        self.fields["body"].widget.attrs["class"] = f"usa-textarea {BODY_HEIGHT}"

    def full_clean(self) -> None:
        """Validate; mark the text box invalid like the mixin does for plain widgets."""
        super().full_clean()
        if "body" in (getattr(self, "_errors", None) or {}):
            self.fields["body"].widget.attrs["class"] = (
                f"usa-textarea usa-textarea--error {BODY_HEIGHT}"
            )


class ApproveForm(UswdsFormMixin, forms.Form):
    """The approver confirms each required topic is covered."""

    topics = forms.MultipleChoiceField(
        label=_("The text covers"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )

    def __init__(self, *args: Any, topics: Sequence[Topic] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topics"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = [(topic.code, topic.label) for topic in topics]


class SignForm(UswdsFormMixin, forms.Form):
    """The patient's typed name and confirmation, and the staff member's attestation."""

    template_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    signed_name = forms.CharField(
        label=_("Patient's full name"),
        help_text=_("The patient types their given name, then family name, as on their record."),
        max_length=SIGNED_NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirmed = forms.BooleanField(label=_("I have read this and agree"), required=False)
    staff_attested = forms.BooleanField(
        label=_("I was with the patient and saw them sign in person"), required=False
    )


class WithdrawForm(UswdsFormMixin, forms.Form):
    """Why the patient withdrew consent."""

    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        help_text=_("In the patient's words where possible. Required."),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
