"""API schemas for the worklist and the life chart (read-only)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from keel.outcomes.selectors import Phase, Population, WorklistSort


class WorklistQuery(Schema):
    """The worklist's filters, sort order and page."""

    population: Population = Field(
        Population.ACTIVE, description="active: an active course or check-ins; all: every patient"
    )
    sort: WorklistSort = WorklistSort.URGENCY
    alerts: bool = Field(False, description="Only patients with unresolved alerts")
    overdue: bool = Field(False, description="Only patients with an overdue check-in")
    phase: Phase | None = None
    page: int = Field(1, ge=1, le=1_000_000)


class ScoreOut(Schema):
    instrument_id: str
    total: int
    taken_on: dt.date
    baseline_total: int | None
    baseline_source: str = Field(description="baseline (intake rating) or first rating")
    change: int | None = Field(description="Points since baseline")
    reduction_pct: float | None
    response: bool | None
    remission: bool | None


class AlertBriefOut(Schema):
    alert_id: int
    severity: str
    category: str
    title: str
    status: str
    raised_at: dt.datetime
    holds_next_session: bool


class AlertSummaryOut(Schema):
    counts: dict[str, int] = Field(description="Unresolved alerts by severity")
    most_severe: AlertBriefOut | None
    holds_next_session: bool


class CheckInOut(Schema):
    instrument_id: str
    frequency: str
    status: str
    due_on: dt.date | None
    days_overdue: int
    last_completed_on: dt.date | None


class WorklistRowOut(Schema):
    patient_id: int
    mrn: str
    given_name: str
    family_name: str
    phase: Phase
    scores: list[ScoreOut]
    alerts: AlertSummaryOut
    check_ins: list[CheckInOut]
    next_session_at: dt.datetime | None
    next_session_number: int | None


class WorklistOut(Schema):
    count: int
    page: int
    page_size: int
    rows: list[WorklistRowOut]


class RatingSeriesOut(Schema):
    instrument_id: str
    label: str
    direction: str = Field(description="depression (drawn below zero) or mania (above)")
    max: int
    time: list[str]
    total: list[int | None]
    y: list[float | None] = Field(description="Signed percentage of the scale maximum")
    acute_post_dose: list[bool]
    purpose: list[str]
    complete: list[bool]


class DiaryDayOut(Schema):
    date: str
    mood: int
    sleep_hours: float
    felt_less_need_for_sleep: bool
    irritability: int
    acute_post_dose: bool


class SessionMarkerOut(Schema):
    id: int
    number: int
    state: str
    state_label: str
    time: str
    when: str
    given: bool
    dose_mg: float | None
    drug: str
    route: str
    route_label: str


class MedicineRecordOut(Schema):
    time: str
    when: str
    evaluation_status: str
    draft: bool
    antimanic_agents: list[str]
    other_medications: list[str]
    changed: bool


class AlertMarkerOut(Schema):
    id: int
    time: str
    when: str
    severity: str
    severity_label: str
    category: str
    category_label: str
    title: str
    status: str
    status_label: str
    url: str | None


class ThresholdLineOut(Schema):
    instrument_id: str
    axis: str = Field(description="scales (% of maximum) or diary (mood -3..+3)")
    parameter: str
    label: str
    value: float
    y: float


class OutcomeSummaryOut(Schema):
    instrument_id: str
    baseline_total: int | None
    baseline_source: str
    latest_total: int | None
    latest_on: str | None
    reduction_pct: float | None
    response: bool | None
    remission: bool | None
    text: str


class ProtocolRefOut(Schema):
    id: str
    version: str


class LifeChartOut(Schema):
    patient_id: int
    time_zone: str
    series: list[RatingSeriesOut]
    mania_instruments: list[str]
    depression_instruments: list[str]
    diary: list[DiaryDayOut]
    sessions: list[SessionMarkerOut]
    medicines: list[MedicineRecordOut]
    alerts: list[AlertMarkerOut]
    thresholds: list[ThresholdLineOut]
    outcomes: list[OutcomeSummaryOut]
    protocol: ProtocolRefOut
