"""API schemas for treatment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from keel.treatment.models import (
    DIASTOLIC_RANGE,
    HEART_RATE_RANGE,
    RESPIRATORY_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_RANGE,
)

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
RouteValue = Literal["iv_racemic_ketamine", "intranasal_esketamine", "im_racemic_ketamine"]


class _Closed(Schema):
    model_config = ConfigDict(extra="forbid")


class CourseCreateIn(_Closed):
    route: RouteValue
    dose_mg_per_kg: Annotated[Decimal, Field(gt=0, le=Decimal("2.00"), decimal_places=2)] | None = (
        None
    )
    esketamine_dose_mg: Literal[28, 56, 84] | None = None
    induction_sessions: Annotated[int, Field(ge=1, le=24)]
    maintenance_sessions: Annotated[int, Field(ge=0, le=104)] = 0
    schedule_note: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


class CourseOut(Schema):
    id: int
    patient_id: int
    decision_id: int
    route: str
    dose_mg_per_kg: Decimal | None
    esketamine_dose_mg: int | None
    induction_sessions: int
    maintenance_sessions: int
    schedule_note: str
    status: str
    activated_at: dt.datetime | None


class SessionScheduleIn(_Closed):
    scheduled_for: dt.datetime


class SessionOut(Schema):
    id: int
    course_id: int
    patient_id: int
    number: int
    scheduled_for: dt.datetime
    state: str
    state_changed_at: dt.datetime | None
    escort_name: str
    escort_phone: str
    abort_reason: str
    lock_version: int


class CheckInIn(_Closed):
    escort_name: Annotated[str, Field(max_length=200, pattern=TEXT)]
    escort_phone: Annotated[str, Field(max_length=32, pattern=r"^(|\+?[0-9][0-9 ()./-]{5,30})$")]


class AbortIn(_Closed):
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT)]


def _range(bounds: tuple[int, int]) -> object:
    return Field(ge=bounds[0], le=bounds[1], strict=True)


class VitalsIn(_Closed):
    """One set of vital signs; values outside physiological ranges are refused."""

    context: Literal["pre_dose", "recheck", "during", "recovery"]
    systolic_bp: Annotated[int, _range(SYSTOLIC_RANGE)]
    diastolic_bp: Annotated[int, _range(DIASTOLIC_RANGE)]
    heart_rate: Annotated[int, _range(HEART_RATE_RANGE)]
    spo2: Annotated[int, _range(SPO2_RANGE)]
    respiratory_rate: Annotated[int, _range(RESPIRATORY_RATE_RANGE)] | None = None
    taken_at: dt.datetime | None = None
    idempotency_key: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._-]*$")] = ""


class VitalsOut(Schema):
    id: int
    context: str
    taken_at: dt.datetime
    systolic_bp: int
    diastolic_bp: int
    heart_rate: int
    spo2: int
    respiratory_rate: int | None
