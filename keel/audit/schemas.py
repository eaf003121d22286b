"""API schemas for the audit report."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class AuditEventOut(Schema):
    """One audit event (170.210(e) content)."""

    sequence: int
    occurred_at: dt.datetime
    actor_user_id: int | None
    actor_username: str
    actor_role: str
    clinic_id: int | None
    action: str
    object_type: str
    object_id: str
    patient_id: int | None
    outcome: str
    client_address: str
    request_id: str


class AuditEventListOut(Schema):
    """One page of audit events."""

    count: int
    offset: int
    limit: int
    items: list[AuditEventOut]
