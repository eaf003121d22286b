"""API schemas for treatment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from keel.common.schemas import IsoDateTime
from keel.monitoring.schemas import Answer, answers_per_instrument
from keel.treatment.clinical import exit_check_findings
from keel.treatment.models import (
    DIASTOLIC_RANGE,
    HEART_RATE_RANGE,
    RESPIRATORY_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_RANGE,
    ExitCheck,
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
    induction_sessions: Annotated[int, Field(ge=1, le=24, strict=True)]
    maintenance_sessions: Annotated[int, Field(ge=0, le=104, strict=True)] = 0
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
    scheduled_for: IsoDateTime


class StopEventOut(Schema):
    """A fired stop rule: open until the nurse records the action taken."""

    id: int
    rule_id: str
    text: str
    severity: str
    open: bool
    count: int
    fired_at: dt.datetime
    last_at: dt.datetime | None
    action: str
    action_at: dt.datetime | None
    action_note: str

    @staticmethod
    def from_event(event: object) -> StopEventOut:
        data = dict(getattr(event, "data", {}) or {})

        def when(key: str) -> dt.datetime | None:
            value = data.get(key)
            return dt.datetime.fromisoformat(value) if value else None

        return StopEventOut(
            id=event.pk,  # type: ignore[attr-defined]
            rule_id=event.rule_id,  # type: ignore[attr-defined]
            text=event.text,  # type: ignore[attr-defined]
            severity=str(data.get("severity", "")),
            open=bool(data.get("open", False)),
            count=int(data.get("count", 1)),
            fired_at=event.recorded_at,  # type: ignore[attr-defined]
            last_at=when("last_at"),
            action=str(data.get("action", "")),
            action_at=when("action_at"),
            action_note=str(data.get("action_note", "")),
        )


class StopEventActIn(_Closed):
    """The action taken on a stop event (closes it); ``acted_at`` defaults to now."""

    action: Literal["paused", "restarted", "stopped", "physician_called", "treatment_given"]
    acted_at: IsoDateTime | None = None
    note: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


class DoseStopIn(_Closed):
    """Why the infusion ended before its planned time (needed only then)."""

    reason: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


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
    dose_started_at: dt.datetime | None
    infusion_ended_at: dt.datetime | None
    discharged_at: dt.datetime | None
    discharge_escort_name: str
    cancel_cause: str
    cancel_reason: str
    hand_off_kind: str
    hand_off_reason: str
    hand_off_destination: str
    hand_off_informed: str
    hand_off_escort_present: bool | None
    hand_off_instructions: str
    handed_off_at: dt.datetime | None
    lock_version: int
    stop_events: list[StopEventOut]

    @staticmethod
    def resolve_stop_events(obj: object) -> list[StopEventOut]:
        events = getattr(obj, "events", None)
        if events is None:
            return []
        return [
            StopEventOut.from_event(e)
            for e in events.filter(kind="stop_rule").order_by("recorded_at", "pk")
        ]


class CheckInIn(_Closed):
    escort_name: Annotated[str, Field(max_length=200, pattern=TEXT)]
    escort_phone: Annotated[str, Field(max_length=32, pattern=r"^(|\+?[0-9][0-9 ()./-]{5,30})$")]


class AbortIn(_Closed):
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT)]


class SessionCancelIn(_Closed):
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT)]


class HandOffIn(_Closed):
    """How a dosed session ends without discharge (physicians).

    A transfer to emergency care needs ``destination``; leaving against
    medical advice needs ``informed`` (who was told), ``escort_present`` and
    ``instructions``. The service names any missing field (422).
    """

    kind: Literal["emergency_transfer", "against_medical_advice"]
    reason: Annotated[str, Field(max_length=2000, pattern=TEXT)]
    destination: Annotated[str, Field(max_length=200, pattern=TEXT)] = ""
    informed: Annotated[str, Field(max_length=200, pattern=TEXT)] = ""
    escort_present: bool | None = None
    instructions: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


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
    taken_at: IsoDateTime | None = None
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


class ChecklistIn(_Closed):
    """The go / no-go checklist answers (vitals and ratings are recorded separately)."""

    weight_kg: Annotated[Decimal, Field(ge=Decimal("25"), le=Decimal("350"), decimal_places=1)]
    open_mood_alert: Literal["none", "amber", "red"] | None = Field(
        default=None,
        deprecated=True,
        description="Ignored: the hold comes from the patient's alerts (kept for old clients).",
    )
    escort_confirmed: bool
    fasting_confirmed: bool
    pregnancy_status: Literal["not_applicable", "negative", "positive", "unknown"]
    med_change_benzodiazepine: bool
    med_change_lamotrigine_dose: bool
    med_change_stimulant: bool
    med_change_maoi: bool
    adverse_event_since_last: bool
    acute_intoxication: bool


class PrecheckOut(Schema):
    id: int
    outcome: str
    protocol_id: str
    protocol_version: str
    fired_rule_ids: list[str]
    physician_override_reason: str
    recorded_at: dt.datetime


class OverrideIn(_Closed):
    rule_ids: list[Annotated[str, Field(max_length=120, pattern=r"^[a-z0-9_.]+$")]] = Field(
        max_length=40
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT)]


SessionScale = Literal["ymrs", "asrm", "cssrs_since_last_visit", "madrs", "moaas", "cadss"]


class SessionRatingIn(_Closed):
    model_config = ConfigDict(json_schema_extra=answers_per_instrument(SessionScale))

    instrument_id: SessionScale
    answers: list[Answer] = Field(max_length=40)


class SessionRatingOut(Schema):
    id: int
    instrument_id: str
    total: int | None
    band: str
    complete: bool
    flags: list[str]
    acute_post_dose: bool


class DoseIn(_Closed):
    weight_kg: (
        Annotated[Decimal, Field(ge=Decimal("25"), le=Decimal("350"), decimal_places=1)] | None
    ) = None
    concentration_mg_per_ml: Annotated[Decimal, Field(gt=0, le=Decimal("1000"), decimal_places=2)]
    lot: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 ._/-]+$")]


class DoseOut(Schema):
    id: int
    drug: str
    route: str
    dose_mg: Decimal
    volume_ml: Decimal
    concentration_mg_per_ml: Decimal
    lot: str
    calculation: list[str]
    verified_at: dt.datetime | None
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None


class StopActionOut(Schema):
    rule_id: str
    title: str
    action: str
    severity: str


class VitalsCheckedOut(Schema):
    vitals: VitalsOut
    stop_actions: list[StopActionOut]


class DischargeIn(_Closed):
    escort_present: bool
    no_driving_acknowledged: bool
    escort_name: Annotated[str, Field(max_length=200, pattern=TEXT)] = ""
    overridden: list[Annotated[str, Field(max_length=120, pattern=r"^[a-z0-9_.]+$")]] = Field(
        default_factory=list, max_length=20
    )
    reason: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


class ExitCheckIn(_Closed):
    """The exit check (REFERENCE.md section 6 "Safety" and "Mobility"): every answer is required."""

    new_suicidal_ideation: bool
    mood_elevation: bool
    perceptual_change: bool
    walks_steadily: bool
    nausea_or_dizziness: bool
    note: Annotated[str, Field(max_length=2000, pattern=TEXT)] = ""


class ExitCheckOut(Schema):
    id: int
    session_id: int
    new_suicidal_ideation: bool
    mood_elevation: bool
    perceptual_change: bool
    walks_steadily: bool
    nausea_or_dizziness: bool
    note: str
    recorded_at: dt.datetime
    findings: list[str] = Field(description="The positive findings; any one holds discharge.")
    physician_decision: Literal["", "may_leave", "stays"]
    physician_reason: str
    physician_decided_at: dt.datetime | None

    @staticmethod
    def resolve_findings(obj: object) -> list[str]:
        return exit_check_findings(obj) if isinstance(obj, ExitCheck) else []


class ExitDecisionIn(_Closed):
    decision: Literal["may_leave", "stays"]
    reason: Annotated[str, Field(max_length=2000, pattern=TEXT)]


AdverseEventCategoryValue = Literal[
    "nausea_vomiting", "emergence_reaction", "bp_treatment", "desaturation", "other"
]


class AdverseEventIn(_Closed):
    category: AdverseEventCategoryValue
    occurred_at: IsoDateTime | None = None
    description: Annotated[str, Field(max_length=2000, pattern=TEXT)]
    action_taken: Annotated[str, Field(max_length=2000, pattern=TEXT)]


class AdverseEventOut(Schema):
    id: int
    session_id: int
    category: str
    occurred_at: dt.datetime
    description: str
    action_taken: str
    recorded_by_id: int
    recorded_at: dt.datetime
