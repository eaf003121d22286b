"""Alert pages: the list (each open alert links to its page), the alert page with its lifecycle forms, the
on-call rota and the time-to-acknowledge report."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.catalogue import AlertPerm
from keel.accounts.decorators import with_actor
from keel.accounts.models import Clinic
from keel.accounts.selectors import Actor
from keel.alerts.forms import (
    AlertFilterForm,
    ClearHoldForm,
    ContactForm,
    DosingAssessmentForm,
    OnCallForm,
    ReportForm,
    ResolveForm,
    ReviewForm,
    clinician_choices,
)
from keel.alerts.models import (
    Alert,
    AlertCategory,
    AlertEventKind,
    AlertStatus,
    ContactMethod,
    SessionHold,
)
from keel.alerts.permissions import (
    access_alert,
    access_alert_list,
    access_alert_report,
    access_on_call,
    access_on_call_entry,
    access_patient_alerts,
)
from keel.alerts.same_day import may_record_dosing_assessment, suicide_dosing_assessment_record
from keel.alerts.selectors import (
    ack_report,
    alert_events,
    alert_source,
    clinic_today,
    cssrs_after,
    cssrs_since_last_visit_on,
    is_urgent_suicidality,
    latest_dosing_assessment,
    on_call_active,
    on_call_entries,
    report_range,
)
from keel.alerts.services import (
    RiskAssessment,
    alert_acknowledge,
    alert_clear_hold,
    alert_may_review,
    alert_record_contact,
    alert_record_psychiatric_review,
    alert_resolve,
    needs_documented_resolution,
    on_call_add,
    on_call_move,
    on_call_remove,
)
from keel.audit.models import AuditAction
from keel.common.exceptions import Conflict, ValidationFailed
from keel.intake.protocols import protocol_for_clinic


def _shown(value: object) -> str:
    """One stored fact value in plain words (parameters as "name = value")."""
    if isinstance(value, dict):
        return "; ".join(f"{k} = {_shown(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "not known"
    return str(value)


def _fact_rows(facts: object) -> list[tuple[str, str]]:
    """The stored facts as readable (label, value) rows."""
    if not isinstance(facts, dict):
        return []
    return [
        (str(name).replace("_", " ").capitalize(), _shown(value)) for name, value in facts.items()
    ]


def _rule(alert: Alert) -> Any:
    """The protocol rule that fired, if the clinic's protocol still has that version."""
    protocol = protocol_for_clinic(alert.clinic_id)
    if protocol.id != alert.protocol_id or str(protocol.version) != alert.protocol_version:
        return None
    try:
        return protocol.rule(alert.rule_id)
    except KeyError:
        return None


def _method_label(value: object) -> str:
    """ "Phone" for "phone"; empty for a contact recorded without a method."""
    return str(ContactMethod(value).label) if value in ContactMethod.values else ""


def _detail_context(actor: Actor, alert: Alert, **forms: Any) -> dict[str, Any]:
    events = list(alert_events(alert=alert))
    documented = needs_documented_resolution(alert)
    today = clinic_today(alert.clinic, timezone.now())
    may_assess = (
        is_urgent_suicidality(alert)
        and alert.status != AlertStatus.RESOLVED
        and may_record_dosing_assessment(actor, alert.patient)
    )
    raised = next((e for e in events if e.kind == AlertEventKind.RAISED), None)
    escalations = [e for e in events if e.kind == AlertEventKind.ESCALATED]
    pages = [e for e in events if e.kind in {AlertEventKind.ESCALATED, AlertEventKind.NOTIFIED}]
    unresolved = alert.status != AlertStatus.RESOLVED
    return {
        "alert": alert,
        "patient": alert.patient,
        "clinic": alert.clinic,
        "tz": alert.clinic.time_zone,
        "events": events,
        "facts": _fact_rows(alert.facts),
        "source": alert_source(alert=alert),
        "rule": _rule(alert),
        "now": timezone.now(),
        "overdue": alert.status == AlertStatus.OPEN and timezone.now() > alert.ack_due_at,
        "show_crisis": alert.category == AlertCategory.SUICIDALITY
        or bool(raised is not None and raised.detail.get("show_crisis")),
        "escalations": escalations,
        "rota_exhausted": any(e.detail.get("rota_exhausted") for e in pages),
        "no_rota": any(e.detail.get("rota") == 0 for e in pages),
        "can_ack": actor.has(AlertPerm.ACKNOWLEDGE) and alert.status == AlertStatus.OPEN,
        "can_resolve": actor.has(AlertPerm.RESOLVE) and alert.status == AlertStatus.ACKNOWLEDGED,
        "can_contact": actor.has(AlertPerm.RESOLVE)
        and unresolved
        and alert.contact_made_at is None,
        "contact_needed": documented and alert.contact_made_at is None,
        "can_review": alert_may_review(actor, alert)
        and unresolved
        and alert.psychiatric_review_at is None,
        "can_clear": actor.has(AlertPerm.CLEAR_HOLD)
        and alert.hold == SessionHold.AMBER
        and alert.hold_cleared_at is None,
        "documented": documented,
        "contacts": [
            (e, _method_label(e.detail.get("method")))
            for e in events
            if e.kind in {AlertEventKind.CONTACT_MADE, AlertEventKind.CONTACT_ATTEMPTED}
        ],
        "resolution": next(
            (e.detail.get("assessment") for e in events if e.kind == AlertEventKind.RESOLVED),
            None,
        ),
        "dosing": latest_dosing_assessment(patient=alert.patient, on=today)
        if is_urgent_suicidality(alert)
        else None,
        "can_assess": may_assess,
        "assess_form": forms.get("assess_form")
        or (
            DosingAssessmentForm(cssrs=cssrs_since_last_visit_on(patient=alert.patient, on=today))
            if may_assess
            else None
        ),
        "resolve_form": forms.get("resolve_form")
        or ResolveForm(cssrs=cssrs_after(patient=alert.patient, since=alert.raised_at)),
        "contact_form": forms.get("contact_form")
        or ContactForm(clinicians=clinician_choices(alert.clinic)),
        "review_form": forms.get("review_form") or ReviewForm(),
        "clear_form": forms.get("clear_form") or ClearHoldForm(),
    }


@require_GET
@with_actor
def alert_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Open and acknowledged alerts by severity, with filters; an open alert links to its page,
    where it is acknowledged after reading."""
    form = AlertFilterForm(request.GET or None)
    alerts, total = access_alert_list(
        actor=actor, statuses=form.selected_statuses(), category=form.selected_category()
    )
    return render(
        request,
        "alerts/list.html",
        {
            "alerts": alerts,
            "total": total,
            "form": form,
            "now": timezone.now(),
            "can_ack": actor.has(AlertPerm.ACKNOWLEDGE),
        },
    )


@require_GET
@with_actor
def alert_page(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """What fired, the action to take, the timeline and the steps this user may record."""
    alert = access_alert(actor=actor, alert_id=alert_id)
    return render(request, "alerts/detail.html", _detail_context(actor, alert))


@require_GET
@with_actor
def patient_alerts_panel(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The patient page's "Open alerts" panel (loaded by htmx): severity, title, status."""
    alerts = access_patient_alerts(actor=actor, patient_id=patient_id)
    return render(
        request, "alerts/partials/_patient_alerts.html", {"alerts": alerts, "now": timezone.now()}
    )


def _back(alert: Alert) -> HttpResponse:
    return redirect("alerts:detail", alert_id=alert.pk)


@require_POST
@with_actor
def acknowledge_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """Acknowledge from the alert page ("I have read it and I am on it"): the list only links
    here, so nobody acknowledges an alert they have not opened."""
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    try:
        alert = alert_acknowledge(actor=actor, alert=alert)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alert acknowledged.")
    return _back(alert)


def _lifecycle_post(
    request: HttpRequest,
    actor: Actor,
    alert_id: int,
    *,
    form_name: str,
    form: Any,
    step: Any,
    done: str,
    action: AuditAction = AuditAction.UPDATE,
) -> HttpResponse:
    """Validate ``form``, run the service ``step``; 422 re-renders, 409 redirects with why."""
    alert = access_alert(actor=actor, alert_id=alert_id, action=action)
    if form.is_valid():
        try:
            step(alert, form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(alert)
        except ValidationFailed as exc:
            for field, errs in exc.errors.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, done)
            return _back(alert)
    context = _detail_context(actor, alert, **{form_name: form})
    return render(request, "alerts/detail.html", context, status=422)


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


@require_POST
@with_actor
def resolve_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """Resolve with the action taken (and, for urgent suicidality, the risk assessment)."""

    def step(alert: Alert, data: dict[str, Any]) -> Alert:
        risk = RiskAssessment(
            basis=data.get("risk_basis") or "",
            level=data.get("risk_level") or "",
            cssrs_id=_int_or_none(data.get("cssrs_id")),
            safety_plan_step=data.get("safety_plan_step") or "",
        )
        return alert_resolve(actor=actor, alert=alert, action_taken=data["action_taken"], risk=risk)

    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    cssrs = cssrs_after(patient=alert.patient, since=alert.raised_at)
    return _lifecycle_post(
        request,
        actor,
        alert_id,
        form_name="resolve_form",
        form=ResolveForm(request.POST, cssrs=cssrs),
        step=step,
        done="Alert resolved.",
    )


@require_POST
@with_actor
def contact_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """Record a contact with the patient: who, when, how, and whether she was reached."""

    def step(alert: Alert, data: dict[str, Any]) -> Alert:
        reached = data.get("reached") != "no"
        alert = alert_record_contact(
            actor=actor,
            alert=alert,
            note=data["note"],
            method=data.get("method") or "",
            reached=reached,
            contacted_by_id=data.get("contacted_by_id"),
            contacted_at=data.get("contacted_at"),
        )
        if not reached:
            messages.warning(
                request,
                "Attempt recorded. The alert stays open and goes to the next person on the "
                "on-call rota.",
            )
        return alert

    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.UPDATE)
    return _lifecycle_post(
        request,
        actor,
        alert_id,
        form_name="contact_form",
        form=ContactForm(request.POST, clinicians=clinician_choices(alert.clinic)),
        step=step,
        done="Contact recorded.",
    )


@require_POST
@with_actor
def dosing_assessment_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """A physician records the same-day assessment and the dosing decision."""
    alert = access_alert(actor=actor, alert_id=alert_id, action=AuditAction.CREATE)
    today = clinic_today(alert.clinic, timezone.now())
    cssrs = cssrs_since_last_visit_on(patient=alert.patient, on=today)
    return _lifecycle_post(
        request,
        actor,
        alert_id,
        form_name="assess_form",
        form=DosingAssessmentForm(request.POST, cssrs=cssrs),
        step=lambda alert, data: suicide_dosing_assessment_record(
            actor=actor,
            patient=alert.patient,
            decision=data.get("decision") or "",
            reason=data.get("reason") or "",
            cssrs_id=_int_or_none(data.get("cssrs_id")),
            cssrs_level=data.get("cssrs_level") or "",
        ),
        done="Same-day assessment and dosing decision recorded.",
        action=AuditAction.CREATE,
    )


@require_POST
@with_actor
def review_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """A psychiatrist records their review."""
    return _lifecycle_post(
        request,
        actor,
        alert_id,
        form_name="review_form",
        form=ReviewForm(request.POST),
        step=lambda alert, data: alert_record_psychiatric_review(
            actor=actor, alert=alert, note=data["note"]
        ),
        done="Psychiatrist's review recorded.",
    )


@require_POST
@with_actor
def clear_hold_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    """A physician clears an amber hold."""
    return _lifecycle_post(
        request,
        actor,
        alert_id,
        form_name="clear_form",
        form=ClearHoldForm(request.POST),
        step=lambda alert, data: alert_clear_hold(actor=actor, alert=alert, note=data["note"]),
        done="Hold cleared: the next session may go ahead.",
    )


# ---------------------------------------------------------------- on-call rota


def _on_call_context(clinic: Clinic, form: OnCallForm) -> dict[str, Any]:
    today = clinic_today(clinic, timezone.now())
    active = {e.pk for e in on_call_active(clinic=clinic, day=today)}
    return {
        "entries": list(on_call_entries(clinic=clinic)),
        "active": active,
        "today": today,
        "form": form,
        "clinic": clinic,
    }


@require_http_methods(["GET", "POST"])
@with_actor
def on_call_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's on-call rota: who is called for urgent alerts, in which order."""
    clinic = access_on_call(
        actor=actor, action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    )
    form = OnCallForm(request.POST or None, clinic=clinic)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                on_call_add(
                    actor=actor,
                    user_id=data["user_id"],
                    rank=data["rank"],
                    phone=data["phone"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationFailed as exc:
                for field, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, "Added to the on-call rota.")
                return redirect("alerts:on_call")
        return render(request, "alerts/on_call.html", _on_call_context(clinic, form), status=422)
    return render(request, "alerts/on_call.html", _on_call_context(clinic, form))


@require_POST
@with_actor
def on_call_remove_view(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    """Take someone off the rota."""
    entry = access_on_call_entry(actor=actor, entry_id=entry_id, action=AuditAction.DELETE)
    try:
        on_call_remove(actor=actor, entry=entry)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Removed from the on-call rota.")
    return redirect("alerts:on_call")


@require_POST
@with_actor
def on_call_move_view(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    """Move someone up or down the rota."""
    entry = access_on_call_entry(actor=actor, entry_id=entry_id)
    try:
        on_call_move(actor=actor, entry=entry, direction=request.POST.get("direction", ""))
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
    return redirect("alerts:on_call")


# ---------------------------------------------------------------- report


@require_GET
@with_actor
def report_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Time to acknowledge per priority and category, and how many escalated (figures only)."""
    clinic = access_alert_report(actor=actor)
    form = ReportForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    tz = ZoneInfo(clinic.time_zone)
    start, end, lower, upper = report_range(
        data.get("start"), data.get("end"), tz, clinic_today(clinic, timezone.now())
    )
    rows = ack_report(clinic=clinic, start=lower, end=upper) if valid else []
    return render(
        request,
        "alerts/report.html",
        {"form": form, "rows": rows, "start": start, "end": end, "clinic": clinic},
        status=200 if valid else 422,
    )
