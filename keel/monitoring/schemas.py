"""API schemas for check-ins: the portal's own operations and the staff's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool

from keel.clinical.instruments import answers_json_schema, get_instrument
from keel.common.schemas import IsoDate, IsoDateTime

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
IdempotencyKey = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._:-]*$")]
Answer = Annotated[int, Field(ge=0, le=8, strict=True)] | None
PatientScale = Literal["phq9", "gad7", "qids_sr16", "asrm"]
StaffScale = Literal["madrs", "ymrs", "phq9", "gad7", "qids_sr16", "asrm"]
Schedulable = Literal["diary", "phq9", "gad7", "qids_sr16", "asrm"]
FrequencyValue = Literal["daily", "weekly", "fortnightly", "monthly"]


class _Closed(Schema):
    model_config = ConfigDict(extra="forbid")


def answers_per_instrument(instruments: object) -> Callable[[dict[str, Any]], None]:
    """``json_schema_extra`` for a rating body: each instrument's answers, documented.

    ``instruments`` is the ``Literal`` type of the body's ``instrument_id``. The body's
    schema gains a ``oneOf`` with one alternative per instrument: its number of answers
    and each item's range, from the instrument library. Validation does not change: the
    library checks the answers and a mismatch is the 422 naming ``answers`` it always was;
    API clients (and the fuzzer) see what a valid body is.
    """
    ids = get_args(instruments)

    def extra(schema: dict[str, Any]) -> None:
        schema["oneOf"] = [
            {
                "properties": {
                    "instrument_id": {"const": instrument_id},
                    "answers": answers_json_schema(get_instrument(instrument_id).items),
                },
                "required": ["instrument_id"],
            }
            for instrument_id in ids
        ]

    return extra


class DiaryIn(_Closed):
    """Today's diary (REFERENCE.md §1.10): every field required; the day is the clinic's today."""

    mood: Annotated[int, Field(ge=-3, le=3, strict=True)]
    sleep_hours: Annotated[Decimal, Field(ge=0, le=24, max_digits=3, decimal_places=1)]
    felt_less_need_for_sleep: StrictBool
    irritability: Annotated[int, Field(ge=0, le=3, strict=True)]
    energy: Annotated[int, Field(ge=-3, le=3, strict=True)]
    medication_taken_as_prescribed: StrictBool
    idempotency_key: IdempotencyKey = ""


class DiaryOut(Schema):
    id: int
    entry_date: dt.date
    mood: int
    sleep_hours: Decimal
    felt_less_need_for_sleep: bool
    irritability: int
    energy: int
    medication_taken_as_prescribed: bool
    recorded_at: dt.datetime
    acute_post_dose: bool


class PortalRatingIn(_Closed):
    """A patient's own scale: one answer (or null) per item, in item order."""

    model_config = ConfigDict(json_schema_extra=answers_per_instrument(PatientScale))

    instrument_id: PatientScale
    answers: list[Answer] = Field(max_length=40)
    idempotency_key: IdempotencyKey = ""


class ClinicianRatingIn(_Closed):
    """A rating staff enter at a visit (MADRS, YMRS, or a patient scale from paper)."""

    model_config = ConfigDict(json_schema_extra=answers_per_instrument(StaffScale))

    instrument_id: StaffScale
    answers: list[Answer] = Field(max_length=40)
    purpose: Literal["pre_session", "check_in"]
    taken_at: IsoDateTime | None = None
    idempotency_key: IdempotencyKey = ""


class RatingOut(Schema):
    id: int
    instrument_id: str
    instrument_version: str
    answers: list[int | None]
    total: int | None
    band: str
    complete: bool
    flags: list[str]
    purpose: str
    taken_at: dt.datetime
    acute_post_dose: bool
    crisis: Literal["urgent", "routine", ""] = Field(
        description=(
            "urgent: show crisis resources (988, 911, the clinic) before anything else; "
            "routine: show the help link prominently."
        )
    )


class DueItemOut(Schema):
    assignment_id: int
    instrument_id: str
    title: str
    frequency: str
    status: str
    due_on: dt.date | None
    days_overdue: int
    last_completed_on: dt.date | None
    wording: Literal["keel", "text_pack", "demo"]


class DueOut(Schema):
    today: dt.date
    clinic_phone: str
    review_note: str
    items: list[DueItemOut]


class AssignmentIn(_Closed):
    instrument_id: Schedulable
    frequency: FrequencyValue
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


class AssignmentOut(Schema):
    id: int
    instrument_id: str
    frequency: str
    start_date: dt.date
    end_date: dt.date | None
    active: bool
    status: str | None = None
    due_on: dt.date | None = None
    days_overdue: int | None = None
    last_completed_on: dt.date | None = None
    offered_in_portal: bool | None = None


class DefaultsIn(_Closed):
    phase: Literal["induction", "maintenance"]


class DefaultsOut(Schema):
    phase: str
    created: list[AssignmentOut]
    ended: list[int]
    kept: list[int]


class PortalInvitationOut(Schema):
    id: int
    email: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class PortalStatusOut(Schema):
    state: str
    label: str
    username: str
    invitation: PortalInvitationOut | None


class RevokedOut(Schema):
    revoked: int


class TextPackIn(_Closed):
    """A FHIR R4 Questionnaire with the clinic's licensed wording of one scale."""

    questionnaire: dict[str, Any]
    instrument_id: Literal["", "phq9", "gad7", "qids_sr16", "asrm"] = ""
    language: Annotated[str, Field(max_length=16, pattern=r"^[A-Za-z0-9-]*$")] = ""
    source: Annotated[str, Field(min_length=1, max_length=300, pattern=TEXT)]
    licence_note: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


class TextPackOut(Schema):
    id: int
    instrument_id: str
    instrument_version: str
    language: str
    title: str
    source: str
    licence_note: str
    status: str
    created_at: dt.datetime
    item_count: int
    matched_by: str
    warnings: list[str]
