"""/api/v1/alerts: alerts and their lifecycle, the on-call rota, the response-time report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.models import Clinic
from keel.alerts.models import Alert, AlertEvent, OnCallEntry
from keel.alerts.permissions import (
    access_alert,
    access_alert_list,
    access_alert_report,
    access_on_call,
    access_on_call_entry,
)
from keel.alerts.same_day import suicide_dosing_assessment_record
from keel.alerts.selectors import (
    UNRESOLVED,
    ack_report,
    alert_events,
    clinic_today,
    on_call_active,
    on_call_entries,
    report_range,
    suicide_dosing_gate,
)
from keel.alerts.services import (
    RiskAssessment,
    alert_acknowledge,
    alert_clear_hold,
    alert_record_contact,
    alert_record_psychiatric_review,
    alert_resolve,
    on_call_add,
    on_call_remove,
)
from keel.audit.models import AuditAction
from keel.common.exceptions import ValidationFailed
from keel.common.schemas import ERROR_RESPONSES, IsoDate, IsoDateTime

router = Router()

ERRORS = ERROR_RESPONSES
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Note = Annotated[str, Field(max_length=4000, pattern=TEXT)]


class _Closed(Schema):
    model_config = ConfigDict(extra="forbid")


class EventOut(Schema):
    kind: str
    at: dt.datetime
    by_user_id: int | None
    to_user_id: int | None
    note: str
    detail: dict[str, object]


class AlertOut(Schema):
    """An alert with its provenance (rule id and protocol version) and lifecycle."""

    id: int
    patient_id: int
    clinic_id: int
    category: str
    priority: str
    level: str
    status: str
    rule_id: str
    rule_version: str = Field(description="Protocol id and version that holds the rule.")
    protocol_id: str
    protocol_version: str
    title: str
    action: str
    facts: dict[str, object]
    evidence_key: str
    source_type: str
    source_id: str
    raised_at: dt.datetime
    ack_due_at: dt.datetime
    overdue: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    resolved_at: dt.datetime | None
    resolved_by_id: int | None
    action_taken: str
    hold: str
    holds_next_session: bool
    hold_cleared_at: dt.datetime | None
    contact_made_at: dt.datetime | None
    psychiatric_review_at: dt.datetime | None
    psychiatric_review_by_id: int | None
    escalation_level: int
    last_escalated_at: dt.datetime | None


class AlertDetailOut(AlertOut):
    events: list[EventOut]


class AlertPageOut(Schema):
    count: int
    offset: int
    limit: int
    items: list[AlertOut]


class AlertFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    status: list[Literal["open", "acknowledged", "resolved"]] = Field(
        default_factory=list, description="Default: open and acknowledged."
    )
    category: (
        Literal[
            "suicidality",
            "mood_elevation",
            "worsening_depression",
            "missed_check_in",
            "non_response",
        ]
        | None
    ) = None
    priority: Literal["urgent", "routine"] | None = None
    patient_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=200)] = 50


Level = Literal["", "none", "low", "moderate", "high"]


class ResolveIn(_Closed):
    """The action taken; a tier 2 / tier 3 / C-SSRS moderate or high alert also needs the
    risk assessment (REFERENCE.md section 7): its basis, the level (or a linked C-SSRS)
    and the safety-plan step taken."""

    action_taken: Note = ""
    risk_basis: Literal["", "cssrs", "judgement"] = ""
    risk_level: Level = ""
    cssrs_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)] | None = None
    safety_plan_step: Note = ""


class NoteIn(_Closed):
    note: Note = ""


class ContactIn(_Closed):
    """Who (``contacted_by_id``, default you), when (default now), how, and whether the
    patient was reached. ``method`` is required for an urgent suicidality alert."""

    method: Literal["", "in_person", "phone", "video"] = ""
    reached: Annotated[bool, Field(strict=True)] = True
    contacted_at: IsoDateTime | None = None
    contacted_by_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)] | None = None
    note: Note = ""


class DosingAssessmentIn(_Closed):
    """A physician's same-day assessment: the C-SSRS since last visit done in this visit
    (``cssrs_id`` of the stored rating, or ``cssrs_level`` from paper) and the decision."""

    decision: Literal["", "dose", "do_not_dose"] = ""
    reason: Note = ""
    cssrs_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)] | None = None
    cssrs_level: Level = ""


class DosingAssessmentOut(Schema):
    id: int
    patient_id: int
    assessed_on: dt.date
    recorded_at: dt.datetime
    recorded_by_id: int
    cssrs_id: int | None
    cssrs_level: str
    decision: str
    reason: str
    alert_ids: list[int]
    gate_blocks_dosing: bool = Field(
        description="Whether urgent suicidality alerts still hold today's dose after this."
    )


class OnCallIn(_Closed):
    user_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
    rank: Annotated[int, Field(ge=1, le=99, strict=True)] | None = None
    phone: Annotated[str, Field(max_length=32, pattern=r"^[0-9 ()./+-]*$")] = ""
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None


class OnCallOut(Schema):
    id: int
    user_id: int
    name: str
    rank: int
    phone: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    on_call_today: bool


class ReportRowOut(Schema):
    priority: str
    category: str
    count: int
    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None
    escalated: int


class ReportOut(Schema):
    start: dt.date
    end: dt.date
    rows: list[ReportRowOut]


class ReportQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    start: IsoDate | None = None
    end: IsoDate | None = None


def _out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        patient_id=alert.patient_id,
        clinic_id=alert.clinic_id,
        category=alert.category,
        priority=alert.priority,
        level=alert.level,
        status=alert.status,
        rule_id=alert.rule_id,
        rule_version=f"{alert.protocol_id} v{alert.protocol_version}",
        protocol_id=alert.protocol_id,
        protocol_version=alert.protocol_version,
        title=alert.title,
        action=alert.action,
        facts=dict(alert.facts) if isinstance(alert.facts, dict) else {},
        evidence_key=alert.evidence_key,
        source_type=alert.source_type,
        source_id=alert.source_id,
        raised_at=alert.raised_at,
        ack_due_at=alert.ack_due_at,
        overdue=alert.status == "open" and timezone.now() > alert.ack_due_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by_id=alert.acknowledged_by_id,
        resolved_at=alert.resolved_at,
        resolved_by_id=alert.resolved_by_id,
        action_taken=alert.action_taken,
        hold=alert.hold,
        holds_next_session=alert.holds_next_session,
        hold_cleared_at=alert.hold_cleared_at,
        contact_made_at=alert.contact_made_at,
        psychiatric_review_at=alert.psychiatric_review_at,
        psychiatric_review_by_id=alert.psychiatric_review_by_id,
        escalation_level=alert.escalation_level,
        last_escalated_at=alert.last_escalated_at,
    )


def _event_out(event: AlertEvent) -> EventOut:
    return EventOut(
        kind=event.kind,
        at=event.at,
        by_user_id=event.by_id,
        to_user_id=event.to_user_id,
        note=event.note,
        detail=dict(event.detail) if isinstance(event.detail, dict) else {},
    )


def _detail(alert: Alert) -> AlertDetailOut:
    return AlertDetailOut(
        **_out(alert).model_dump(),
        events=[_event_out(e) for e in alert_events(alert=alert)],
    )


@router.get("", response={200: AlertPageOut, **ERRORS}, operation_id="alert_list")
def alert_list_api(request: HttpRequest, query: Query[AlertFilters]) -> AlertPageOut:
    """The caller's alerts, most severe first (urgent, red, amber, routine), then oldest first."""
    items, count = access_alert_list(
        actor=_actor(request),
        statuses=query.status or list(UNRESOLVED),
        category=query.category or "",
        priority=query.priority or "",
        patient_id=query.patient_id,
        limit=query.limit,
        offset=query.offset,
    )
    return AlertPageOut(
        count=count,
        offset=query.offset,
        limit=query.limit,
        items=[_out(a) for a in items],
    )


# ---------------------------------------------------------------- on-call rota


def _entry_out(entry: OnCallEntry, active: set[int]) -> OnCallOut:
    return OnCallOut(
        id=entry.pk,
        user_id=entry.user_id,
        name=entry.user.get_full_name() or entry.user.get_username(),
        rank=entry.rank,
        phone=entry.phone,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        on_call_today=entry.pk in active,
    )


def _rota(clinic: Clinic) -> tuple[list[OnCallEntry], set[int]]:
    today = clinic_today(clinic, timezone.now())
    active = {e.pk for e in on_call_active(clinic=clinic, day=today)}
    return list(on_call_entries(clinic=clinic)), active


@router.get("/on-call", response={200: list[OnCallOut], **ERRORS}, operation_id="on_call_list")
def on_call_list_api(request: HttpRequest) -> list[OnCallOut]:
    """The active clinic's rota, by rank, with who is on call today."""
    entries, active = _rota(access_on_call(actor=_actor(request)))
    return [_entry_out(e, active) for e in entries]


@router.post("/on-call", response={201: OnCallOut, **ERRORS}, operation_id="on_call_create")
def on_call_create_api(request: HttpRequest, payload: OnCallIn) -> Status[OnCallOut]:
    """Add a clinical staff member of this clinic at ``rank`` (default: last)."""
    actor = _actor(request)
    clinic = access_on_call(actor=actor, action=AuditAction.CREATE)
    entry = on_call_add(
        actor=actor,
        user_id=payload.user_id,
        rank=payload.rank,
        phone=payload.phone,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    _entries, active = _rota(clinic)
    return Status(201, _entry_out(entry, active))


@router.delete("/on-call/{entry_id}", response={204: None, **ERRORS}, operation_id="on_call_delete")
def on_call_delete_api(request: HttpRequest, entry_id: EntryId) -> HttpResponse:
    """Remove an entry; the ranks below move up."""
    actor = _actor(request)
    entry = access_on_call_entry(actor=actor, entry_id=entry_id, action=AuditAction.DELETE)
    on_call_remove(actor=actor, entry=entry)
    return HttpResponse(status=204)


@router.get("/report", response={200: ReportOut, **ERRORS}, operation_id="alert_report")
def alert_report_api(request: HttpRequest, query: Query[ReportQuery]) -> ReportOut:
    """Time to acknowledge per priority and category (median, 90th percentile), escalations."""
    actor = _actor(request)
    clinic = access_alert_report(actor=actor)
    if query.start and query.end and query.end < query.start:
        raise ValidationFailed({"end": ["The end date is before the start date."]})
    tz = ZoneInfo(clinic.time_zone)
    start, end, lower, upper = report_range(
        query.start, query.end, tz, clinic_today(clinic, timezone.now())
    )
    rows = ack_report(clinic=clinic, start=lower, end=upper)
    return ReportOut(
        start=start,
        end=end,
        rows=[ReportRowOut(**r.__dict__) for r in rows],
    )


# ---------------------------------------------------------------- one alert


@router.get("/{alert_id}", response={200: AlertDetailOut, **ERRORS}, operation_id="alert_get")
def alert_get_api(request: HttpRequest, alert_id: AlertId) -> AlertDetailOut:
    """One alert with what fired it and its timeline."""
    return _detail(access_alert(actor=_actor(request), alert_id=alert_id))


@router.post(
    "/{alert_id}/acknowledge",
    response={200: AlertDetailOut, **ERRORS},
    operation_id="alert_acknowledge",
)
def alert_acknowledge_api(request: HttpRequest, alert_id: AlertId) -> AlertDetailOut:
    """Open -> acknowledged (409 if it is not open)."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    return _detail(alert_acknowledge(actor=actor, alert=alert))


@router.post(
    "/{alert_id}/resolve", response={200: AlertDetailOut, **ERRORS}, operation_id="alert_resolve"
)
def alert_resolve_api(
    request: HttpRequest, alert_id: AlertId, payload: ResolveIn
) -> AlertDetailOut:
    """Acknowledged -> resolved; ``action_taken`` is required (422 naming it when blank)."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    risk = RiskAssessment(
        basis=payload.risk_basis,
        level=payload.risk_level,
        cssrs_id=payload.cssrs_id,
        safety_plan_step=payload.safety_plan_step,
    )
    return _detail(
        alert_resolve(actor=actor, alert=alert, action_taken=payload.action_taken, risk=risk)
    )


@router.post(
    "/{alert_id}/contact", response={200: AlertDetailOut, **ERRORS}, operation_id="alert_contact"
)
def alert_contact_api(
    request: HttpRequest, alert_id: AlertId, payload: ContactIn
) -> AlertDetailOut:
    """Record a contact with the patient (reached: half of lifting a red hold). Not reached
    ("left a voicemail"): the alert stays open and goes one step along the on-call rota."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    return _detail(
        alert_record_contact(
            actor=actor,
            alert=alert,
            note=payload.note,
            method=payload.method,
            reached=payload.reached,
            contacted_by_id=payload.contacted_by_id,
            contacted_at=payload.contacted_at,
        )
    )


@router.post(
    "/{alert_id}/same-day-assessment",
    response={201: DosingAssessmentOut, **ERRORS},
    operation_id="alert_dosing_assessment",
)
def alert_dosing_assessment_api(
    request: HttpRequest, alert_id: AlertId, payload: DosingAssessmentIn
) -> Status[DosingAssessmentOut]:
    """A physician records the same-day assessment and dosing decision for the alert's
    patient (REFERENCE.md section 7 tier 2); 409 when no urgent suicidality alert is open."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.CREATE)
    record = suicide_dosing_assessment_record(
        actor=actor,
        patient=alert.patient,
        decision=payload.decision,
        reason=payload.reason,
        cssrs_id=payload.cssrs_id,
        cssrs_level=payload.cssrs_level,
    )
    gate = suicide_dosing_gate(patient=alert.patient, on=record.assessed_on)
    return Status(
        201,
        DosingAssessmentOut(
            id=record.pk,
            patient_id=record.patient_id,
            assessed_on=record.assessed_on,
            recorded_at=record.recorded_at,
            recorded_by_id=record.recorded_by_id,
            cssrs_id=record.cssrs_id,
            cssrs_level=record.cssrs_level,
            decision=record.decision,
            reason=record.reason,
            alert_ids=list(record.alert_ids),
            gate_blocks_dosing=gate.blocks_dosing,
        ),
    )


@router.post(
    "/{alert_id}/psychiatric-review",
    response={200: AlertDetailOut, **ERRORS},
    operation_id="alert_psychiatric_review",
)
def alert_psychiatric_review_api(
    request: HttpRequest, alert_id: AlertId, payload: NoteIn
) -> AlertDetailOut:
    """A psychiatrist records a review; ``note`` is required (422 naming it when blank)."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    return _detail(alert_record_psychiatric_review(actor=actor, alert=alert, note=payload.note))


@router.post(
    "/{alert_id}/clear-hold",
    response={200: AlertDetailOut, **ERRORS},
    operation_id="alert_clear_hold",
)
def alert_clear_hold_api(
    request: HttpRequest, alert_id: AlertId, payload: NoteIn
) -> AlertDetailOut:
    """A physician clears an amber hold with a ``note`` (required)."""
    actor = _actor(request)
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    return _detail(alert_clear_hold(actor=actor, alert=alert, note=payload.note))
