"""Session page forms for the exit check, its physician decision, and adverse events (htmx-free).

Each view calls one service and goes back to the session page; a form with
errors is shown again on the session page (422, or 409 for a state rule).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.treatment.clinical import exit_check_findings
from keel.treatment.forms import AdverseEventForm, ExitCheckForm, ExitDecisionForm
from keel.treatment.models import SessionState, TreatmentSession
from keel.treatment.permissions import access_session
from keel.treatment.selectors import (
    adverse_event_list,
    adverse_events_previous_session,
    exit_check_latest,
)
from keel.treatment.services import (
    adverse_event_record,
    exit_check_physician_decide,
    exit_check_record,
)
from keel.treatment.services.safety import ADVERSE_EVENT_STATES


def safety_context(session: TreatmentSession, extra: dict[str, Any]) -> dict[str, Any]:
    """The session page's exit check, adverse events and last session's events.

    Takes the bound forms a failed post left in ``extra`` (and removes them).
    """
    check = exit_check_latest(session=session)
    previous, previous_events = (
        adverse_events_previous_session(session=session)
        if session.state == SessionState.PRE_CHECKS
        else (None, [])
    )
    return {
        "exit_check": check,
        "exit_findings": exit_check_findings(check) if check is not None else [],
        "exit_check_form": extra.pop("exit_check_form", None) or ExitCheckForm(),
        "exit_decision_form": extra.pop("exit_decision_form", None) or ExitDecisionForm(),
        "exit_error": extra.pop("exit_error", ""),
        "adverse_events": list(adverse_event_list(session=session)),
        "adverse_event_form": extra.pop("adverse_event_form", None) or AdverseEventForm(),
        "adverse_events_open": session.state in ADVERSE_EVENT_STATES,
        "previous_session": previous,
        "previous_adverse_events": previous_events,
    }


def summary_safety_context(session: TreatmentSession) -> dict[str, Any]:
    """The discharge summary's adverse events and the exit check discharge went ahead on."""
    check = exit_check_latest(session=session)
    return {
        "adverse_events": list(adverse_event_list(session=session)),
        "exit_check": check,
        "exit_findings": exit_check_findings(check) if check is not None else [],
    }


def _errors_to_form(form: Any, exc: ValidationFailed) -> None:
    for field, errs in exc.errors.items():
        for err in errs:
            form.add_error(field if field in form.fields else None, err)


def _session(actor: Actor, session_id: int) -> TreatmentSession:
    return access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.UPDATE,
    )


def _page_again(
    request: HttpRequest, actor: Actor, session: TreatmentSession, status: int, **extra: Any
) -> HttpResponse:
    from keel.treatment.views import _session_context  # the session page's own context

    session.refresh_from_db()
    return render(
        request, "treatment/session.html", _session_context(actor, session, **extra), status=status
    )


@require_POST
@with_actor
def exit_check_create(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """The nurse records the exit check; positive findings wait for a physician."""
    session = _session(actor, session_id)
    form = ExitCheckForm(request.POST)
    if not form.is_valid():
        return _page_again(request, actor, session, 422, exit_check_form=form)
    data = form.cleaned_data
    try:
        check = exit_check_record(
            actor=actor,
            session=session,
            new_suicidal_ideation=data["new_suicidal_ideation"],
            mood_elevation=data["mood_elevation"],
            perceptual_change=data["perceptual_change"],
            walks_steadily=data["walks_steadily"],
            nausea_or_dizziness=data["nausea_or_dizziness"],
            note=data["note"],
        )
    except ValidationFailed as exc:
        _errors_to_form(form, exc)
        return _page_again(request, actor, session, 422, exit_check_form=form)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return redirect("treatment:session", session_id=session.pk)
    findings = exit_check_findings(check)
    if findings:
        messages.warning(
            request,
            "Exit check: " + "; ".join(findings) + ". Discharge waits for a physician's decision.",
        )
    else:
        messages.success(request, "Exit check recorded: no finding.")
    return redirect("treatment:session", session_id=session.pk)


@require_POST
@with_actor
def exit_check_decide(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """A physician decides on the newest, positive exit check, with the reason."""
    session = _session(actor, session_id)
    form = ExitDecisionForm(request.POST)
    check = exit_check_latest(session=session)
    if check is None:
        messages.error(request, "No exit check recorded yet.")
        return redirect("treatment:session", session_id=session.pk)
    if not form.is_valid():
        return _page_again(request, actor, session, 422, exit_decision_form=form)
    try:
        exit_check_physician_decide(
            actor=actor,
            check=check,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationFailed as exc:
        _errors_to_form(form, exc)
        return _page_again(request, actor, session, 422, exit_decision_form=form)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return redirect("treatment:session", session_id=session.pk)
    messages.success(request, "Decision on the exit check recorded.")
    return redirect("treatment:session", session_id=session.pk)


@require_POST
@with_actor
def adverse_event_create(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """Record an adverse event of the session."""
    session = _session(actor, session_id)
    form = AdverseEventForm(request.POST)
    if not form.is_valid():
        return _page_again(request, actor, session, 422, adverse_event_form=form)
    data = form.cleaned_data
    when = data["occurred_at"]
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when, session.patient.clinic.tzinfo)
    try:
        adverse_event_record(
            actor=actor,
            session=session,
            category=data["category"],
            occurred_at=when,
            description=data["description"],
            action_taken=data["action_taken"],
        )
    except ValidationFailed as exc:
        _errors_to_form(form, exc)
        return _page_again(request, actor, session, 422, adverse_event_form=form)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return redirect("treatment:session", session_id=session.pk)
    messages.success(request, "Adverse event recorded.")
    return redirect("treatment:session", session_id=session.pk)
