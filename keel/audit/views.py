"""The clinic admin's audit trail page."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.forms import AuditFilterForm
from keel.audit.models import AuditAction
from keel.audit.permissions import OBJECT_TYPE, access_audit_trail
from keel.audit.selectors import audit_event_list
from keel.audit.services import audit_record

PAGE_SIZE = 50


def _day_bounds(day: dt.date | None, *, tz: dt.tzinfo, end: bool) -> dt.datetime | None:
    if day is None:
        return None
    if end:
        day = day + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


@require_GET
@with_actor
def audit_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Filter and sort the clinic's audit events; viewing is itself audited."""
    clinic_id = access_audit_trail(actor=actor)
    form = AuditFilterForm(request.GET or None)
    events = None
    page = None
    if form.is_bound and not form.is_valid():
        status = 422
    else:
        status = 200
        data = form.cleaned_data if form.is_bound else {}
        tz = actor.clinic.tzinfo if actor.clinic is not None else dt.UTC
        date_from = _day_bounds(data.get("date_from"), tz=tz, end=False)
        date_to = _day_bounds(data.get("date_to"), tz=tz, end=True)
        username: str | None = data.get("username") or None
        patient_id: int | None = data.get("patient_id")
        action: str | None = data.get("action") or None
        outcome: str | None = data.get("outcome") or None
        events = audit_event_list(
            clinic_id=clinic_id,
            date_from=date_from,
            date_to=date_to,
            username=username,
            patient_id=patient_id,
            action=action,
            outcome=outcome,
            sort=data.get("sort") or "-occurred_at",
        )
        filters = {
            "date_from": date_from,
            "date_to": date_to,
            "username": username,
            "patient_id": patient_id,
            "action": action,
            "outcome": outcome,
        }
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        # Read the page now: the count above and the rows must come from the same
        # moment, before this view's own audit event is added.
        page.object_list = list(page.object_list)
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type=OBJECT_TYPE,
            detail={
                "filters": {k: str(v) for k, v in filters.items() if v is not None},
                "page": page.number,
            },
        )
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "action_choices": AuditAction},
        status=status,
    )
