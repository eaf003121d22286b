"""API input and output schemas for patients (separate In and Out, STYLE.md section 2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from keel.common.schemas import IsoDate

AdministrativeSexValue = Literal["female", "male", "other", "unknown"]
# Explicit ASCII classes: the OpenAPI pattern must mean the same in Python and ECMA regex.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[A-Za-z\u00C0-\u024F][^\x00-\x1f\x7f]*$"
PHONE_PATTERN = r"^(|\+?[0-9][0-9 ()./-]{5,30})$"

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)]
Phone = Annotated[str, Field(max_length=32, pattern=PHONE_PATTERN)]
Email = Annotated[str, Field(max_length=254, pattern=r"^(|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")]
Weight = Annotated[Decimal, Field(ge=Decimal("25.0"), le=Decimal("350.0"), decimal_places=1)]
ShortText = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
LongText = Annotated[str, Field(max_length=500, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class PatientCreateIn(Schema):
    """Register a patient. The MRN is assigned by Keel."""

    model_config = ConfigDict(extra="forbid")

    given_name: Name
    family_name: Name
    birth_date: IsoDate
    administrative_sex: AdministrativeSexValue
    weight_kg: Weight | None = None
    phone: Phone = ""
    email: Email = ""
    address: LongText = ""
    emergency_contact_name: ShortText = ""
    emergency_contact_relationship: ShortText = ""
    emergency_contact_phone: Phone = ""
    psychiatrist_of_record_id: Annotated[int, Field(ge=1, le=2**53, strict=True)] | None = None


class PatientUpdateIn(Schema):
    """Change some fields of a patient; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: IsoDate | None = None
    administrative_sex: AdministrativeSexValue | None = None
    weight_kg: Weight | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: LongText | None = None
    emergency_contact_name: ShortText | None = None
    emergency_contact_relationship: ShortText | None = None
    emergency_contact_phone: Phone | None = None
    psychiatrist_of_record_id: Annotated[int, Field(ge=1, le=2**53, strict=True)] | None = None


class PatientOut(Schema):
    """A patient record."""

    id: int
    mrn: str
    given_name: str
    family_name: str
    birth_date: IsoDate
    administrative_sex: AdministrativeSexValue
    weight_kg: Decimal | None
    phone: str
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    psychiatrist_of_record_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PatientListOut(Schema):
    """One page of patients."""

    count: int
    offset: int
    limit: int
    items: list[PatientOut]
