"""API input and output schemas for consent (separate In and Out, STYLE.md section 2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from keel.consent.models import CONSENT_TOPICS, REASON_MAX, SIGNED_NAME_MAX

ConsentStateValue = Literal["none", "current", "withdrawn", "outdated"]
DocumentStatusValue = Literal["draft", "awaiting_approval", "approved", "retired"]
SignedViaValue = Literal["clinic", "portal"]
# The codes of CONSENT_TOPICS (a test keeps the two the same).
ConsentTopicValue = Literal["off_label", "risks", "escort_no_driving", "alongside_mood_care"]

# Explicit ASCII classes: the OpenAPI pattern must mean the same in Python and ECMA regex.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*$"
REASON_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MAX_ID = 2**53

StrictBool = Annotated[bool, Field(strict=True)]


class ConsentTemplateOut(Schema):
    """One consent template version."""

    id: int
    version: int
    title: str
    body: str
    status: DocumentStatusValue
    is_sample: bool
    approval_marker: str = Field(description='"" once approved; else the notice to show')
    approved_at: dt.datetime | None
    approved_by_id: int | None
    topics_confirmed: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class ConsentTemplateListOut(Schema):
    """Every consent template version of your clinic, newest first."""

    count: int
    items: list[ConsentTemplateOut]


class ConsentTemplateApproveIn(Schema):
    """The topics the approver confirms the text covers; every one is required."""

    model_config = ConfigDict(extra="forbid")

    topics: list[ConsentTopicValue] = Field(max_length=len(CONSENT_TOPICS) * 2)


class ConsentTemplateSummaryOut(Schema):
    """The version a consent was signed on, or that a patient signs now."""

    id: int
    version: int
    title: str
    approved_at: dt.datetime | None


class ConsentOut(Schema):
    """One signature on a consent template version (the PDF is a separate download)."""

    id: int
    patient_id: int
    template: ConsentTemplateSummaryOut
    signed_name: str
    confirmed: bool
    signed_at: dt.datetime
    signed_via: SignedViaValue
    recorded_by_id: int | None
    staff_attested: bool
    body_sha256: str
    pdf_sha256: str
    withdrawn_at: dt.datetime | None
    withdrawn_by_id: int | None
    withdrawal_reason: str


class ConsentStatusOut(Schema):
    """A patient's consent state. ``state`` "current" is the only one that allows scheduling."""

    patient_id: int
    state: ConsentStateValue
    consent: ConsentOut | None
    template: ConsentTemplateSummaryOut | None = Field(
        description="The approved version the patient signs now (null if none is approved)"
    )


class ConsentSignIn(Schema):
    """The patient's signature, taken in person by the staff member calling."""

    model_config = ConfigDict(extra="forbid")

    template_id: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)] = Field(
        description="The version the patient read: the clinic's approved version"
    )
    signed_name: Annotated[
        str, Field(min_length=1, max_length=SIGNED_NAME_MAX, pattern=NAME_PATTERN)
    ] = Field(description="Typed by the patient: given name, then family name")
    confirmed: StrictBool = Field(description='The patient ticked "I have read this and agree"')
    staff_attested: StrictBool = Field(
        description="The calling staff member saw the patient sign in person"
    )


class ConsentWithdrawIn(Schema):
    """Why the patient withdrew consent."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX, pattern=REASON_PATTERN)]
