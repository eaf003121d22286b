"""/api/v1/audit: the clinic admin's audit report (ONC 170.315(d)(3)); each call is audited."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction, AuditEvent
from keel.audit.permissions import OBJECT_TYPE, access_audit_trail
from keel.audit.schemas import AuditEventListOut, AuditEventOut
from keel.audit.selectors import audit_event_list
from keel.audit.services import audit_record
from keel.common.exceptions import NotFound
from keel.common.schemas import ErrorOut, IsoDateTime

router = Router()


SortField = Literal[
    "occurred_at",
    "-occurred_at",
    "actor_username",
    "-actor_username",
    "patient_id",
    "-patient_id",
    "action",
    "-action",
    "object_type",
    "-object_type",
    "outcome",
    "-outcome",
    "client_address",
    "-client_address",
]


class AuditQuery(Schema):
    """Time window (half-open), filters, sort and paging."""

    date_from: IsoDateTime | None = Field(None, alias="from")
    date_to: IsoDateTime | None = Field(None, alias="to")
    user: str | None = Field(None, max_length=150)
    patient_id: int | None = Field(None, ge=1, le=2**63 - 1)
    action: Literal[tuple(AuditAction.values)] | None = None  # type: ignore[valid-type]  # built from the enum
    outcome: Literal["success", "denied", "error"] | None = None
    object_type: str | None = Field(None, max_length=64)
    sort: SortField = "-occurred_at"
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "",
    response={200: AuditEventListOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="audit_event_list",
)
def audit_event_list_api(request: HttpRequest, filters: Query[AuditQuery]) -> AuditEventListOut:
    """Audit events of your active clinic, filtered and sorted (clinic admins)."""
    actor = request.auth  # type: ignore[attr-defined]  # set by Ninja after authentication
    if not isinstance(actor, Actor):
        raise NotFound()
    clinic_id = access_audit_trail(actor=actor)
    events = audit_event_list(
        clinic_id=clinic_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        username=filters.user,
        patient_id=filters.patient_id,
        action=filters.action,
        outcome=filters.outcome,
        object_type=filters.object_type,
        sort=filters.sort,
    )
    count = events.count()
    page: list[AuditEvent] = list(events[filters.offset : filters.offset + filters.limit])
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type=OBJECT_TYPE,
        detail={"via": "api", "sort": filters.sort, "returned": len(page)},
    )
    return AuditEventListOut(
        count=count,
        offset=filters.offset,
        limit=filters.limit,
        items=[AuditEventOut.model_validate(e, from_attributes=True) for e in page],
    )
