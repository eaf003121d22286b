"""Reading the audit trail (the clinic-admin audit report, ONC 170.315(d)(3)).

Who may read it is decided by the caller's gate; these queries only restrict
to one clinic.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy

from keel.audit.models import AuditAction, AuditEvent, AuditOutcome

#: Fields the report can be sorted by (each 170.210(e) element the table holds):
#: date/time, user, patient, action, resource, outcome, source.
SORT_FIELDS: tuple[str, ...] = (
    "occurred_at",
    "actor_username",
    "patient_id",
    "action",
    "object_type",
    "outcome",
    "client_address",
)
DEFAULT_SORT = "-occurred_at"


def _ordering(sort: str) -> tuple[OrderBy, OrderBy]:
    descending = sort.startswith("-")
    name = sort[1:] if descending else sort
    if name not in SORT_FIELDS:
        allowed = ", ".join(SORT_FIELDS)
        raise ValueError(
            f"cannot sort audit events by {sort!r}; allowed: {allowed} (prefix - for descending)"
        )
    # Empty values (events with no patient) sort last either way, on SQLite
    # and PostgreSQL alike; the sequence breaks ties so pages are stable.
    if descending:
        return F(name).desc(nulls_last=True), F("sequence").desc()
    return F(name).asc(nulls_last=True), F("sequence").asc()


def audit_event_list(
    *,
    clinic_id: int,
    date_from: dt.datetime | None = None,
    date_to: dt.datetime | None = None,
    username: str | None = None,
    patient_id: int | None = None,
    action: str | None = None,
    outcome: str | None = None,
    object_type: str | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[AuditEvent]:
    """Events of one clinic, filtered and sorted.

    The period is half-open: ``date_from <= occurred_at < date_to`` (aware
    datetimes). ``username`` matches the recorded username exactly. ``sort``
    is one of ``SORT_FIELDS``, optionally prefixed with "-"; an unknown sort
    field, action or outcome raises ValueError naming the allowed values, for
    the caller to answer with a 4xx.
    """
    ordering = _ordering(sort)
    events = AuditEvent.objects.filter(clinic_id=clinic_id)
    if date_from is not None:
        events = events.filter(occurred_at__gte=date_from)
    if date_to is not None:
        events = events.filter(occurred_at__lt=date_to)
    if username is not None:
        events = events.filter(actor_username=username)
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    if action is not None:
        if action not in AuditAction.values:
            raise ValueError(
                f"unknown audit action {action!r}; allowed: {', '.join(AuditAction.values)}"
            )
        events = events.filter(action=action)
    if outcome is not None:
        if outcome not in AuditOutcome.values:
            raise ValueError(
                f"unknown audit outcome {outcome!r}; allowed: {', '.join(AuditOutcome.values)}"
            )
        events = events.filter(outcome=outcome)
    if object_type is not None:
        events = events.filter(object_type=object_type)
    return events.order_by(*ordering)
