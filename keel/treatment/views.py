"""Treatment pages: the course and the chairside session page (htmx, no full reloads)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.alerts.selectors import session_holds
from keel.audit.models import AuditAction
from keel.clinical.instruments import INSTRUMENTS
from keel.clinical.sessions import (
    CheckpointState,
    CheckpointStatus,
    checkpoint_status,
    monitoring_schedule,
)
from keel.common.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.coordination.selectors import clearance_get
from keel.intake.forms import AssessmentForm
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.treatment.clinical import discharge_unmet, session_protocol
from keel.treatment.forms import (
    AbortForm,
    CancelForm,
    CheckInForm,
    ChecklistForm,
    CourseForm,
    DischargeForm,
    DoseForm,
    HandOffForm,
    ScheduleForm,
    VitalsForm,
)
from keel.treatment.models import (
    DoseAdministration,
    Route,
    SessionState,
    TreatmentSession,
    VitalContext,
)
from keel.treatment.permissions import access_patient_treatment, access_session
from keel.treatment.selectors import (
    course_list,
    course_open,
    precheck_latest,
    session_list,
    vitals_list,
)
from keel.treatment.services import (
    SESSION_RATINGS,
    STOP_EVENT_ACTIONS,
    course_activate,
    course_create,
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_physician_decide,
    precheck_record,
    session_abort,
    session_cancel,
    session_check_in,
    session_discharge,
    session_hand_off,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    stop_event_act,
    stop_events_open,
    vitals_record_checked,
)
from keel.treatment.views_safety import safety_context, summary_safety_context


def _errors_to_form(form: Any, exc: ValidationFailed) -> None:
    for field, errs in exc.errors.items():
        for err in errs:
            form.add_error(field if field in form.fields else None, err)


@require_http_methods(["GET", "POST"])
@with_actor
def course_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The patient's course: plan it, activate it, book sessions."""
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    patient = access_patient_treatment(actor=actor, patient_id=patient_id, action=action)
    course = course_open(patient=patient)
    course_form = CourseForm(request.POST if request.POST.get("form") == "course" else None)
    schedule_form = ScheduleForm(request.POST if request.POST.get("form") == "schedule" else None)
    if request.method == "POST":
        form_name = request.POST.get("form")
        try:
            if form_name == "course" and course_form.is_valid():
                data = course_form.cleaned_data
                course_create(
                    actor=actor,
                    patient=patient,
                    route=Route(data["route"]),
                    dose_mg_per_kg=data["dose_mg_per_kg"],
                    esketamine_dose_mg=data["esketamine_dose_mg"],
                    induction_sessions=data["induction_sessions"],
                    maintenance_sessions=data["maintenance_sessions"],
                    schedule_note=data["schedule_note"],
                )
                messages.success(request, "Course planned.")
                return redirect("treatment:course", patient_id=patient.pk)
            if form_name == "activate" and course is not None:
                course_activate(actor=actor, course=course)
                messages.success(request, "Course active: sessions can be booked.")
                return redirect("treatment:course", patient_id=patient.pk)
            if form_name == "schedule" and course is not None and schedule_form.is_valid():
                when = schedule_form.cleaned_data["scheduled_for"]
                session = session_schedule(actor=actor, course=course, scheduled_for=when)
                messages.success(request, f"Session {session.number} booked.")
                return redirect("treatment:course", patient_id=patient.pk)
        except ValidationFailed as exc:
            _errors_to_form(course_form if form_name == "course" else schedule_form, exc)
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "treatment/course.html",
        {
            "patient": patient,
            "course": course,
            "courses": list(course_list(patient=patient)),
            "sessions": list(session_list(course=course)) if course is not None else [],
            "clearance": clearance_get(patient=patient),
            "course_form": course_form,
            "schedule_form": schedule_form,
            "can_plan": actor.has(TreatmentPerm.PLAN_COURSES),
            "can_run": actor.has(TreatmentPerm.RUN_SESSIONS),
        },
        status=422 if request.method == "POST" else 200,
    )


#: Once a session is over, what a checkpoint that was not done is called (the rest: "missed").
_OVER_LABELS = {CheckpointStatus.DONE: "done", CheckpointStatus.UPCOMING: "not reached"}


@dataclass(frozen=True)
class CheckpointRow:
    """One checkpoint as the session page shows it."""

    state: CheckpointState
    label: str  # done / due / overdue / upcoming; once the session is over: missed / not reached

    @property
    def css(self) -> str:
        return self.label.replace(" ", "-")


def _checkpoints(session: TreatmentSession) -> list[CheckpointRow]:
    """The monitoring checkpoints once the dose has started, each with what it stands at.

    While the session runs, a checkpoint is upcoming, due, overdue or done as of now. Once it
    is over (discharged or aborted) they are read as of its end: a checkpoint with a missing
    measure is "missed" (not "overdue", which asks for action) and one after the end "not
    reached".
    """
    if session.dose_started_at is None:
        return []
    as_of = (session.discharged_at or session.state_changed_at) if session.is_over else None
    _protocol, params = session_protocol(session)
    # Esketamine observation runs from the first device: the schedule takes no end time.
    end = None if session.course.route == Route.INTRANASAL_ESKETAMINE else session.infusion_ended_at
    plan = monitoring_schedule(session.course.route, session.dose_started_at, end, params)
    recorded: dict[str, list[Any]] = {
        "bp": [],
        "hr": [],
        "spo2": [],
        "rr": [],
        "moaas": [],
        "cadss": [],
    }
    for v in session.vitals.all():
        for key in ("bp", "hr", "spo2"):
            recorded[key].append(v.taken_at)
        if v.respiratory_rate is not None:
            recorded["rr"].append(v.taken_at)
    for rating in Assessment.objects.filter(
        patient=session.patient,
        instrument_id__in=["moaas", "cadss"],
        taken_at__gte=session.scheduled_for - timedelta(hours=12),
    ):
        recorded[rating.instrument_id].append(rating.taken_at)
    states = checkpoint_status(plan, recorded, as_of or timezone.now())
    if as_of is None:
        return [CheckpointRow(state, str(state.status)) for state in states]
    return [CheckpointRow(state, _OVER_LABELS.get(state.status, "missed")) for state in states]


def _session_context(actor: Actor, session: TreatmentSession, **extra: Any) -> dict[str, Any]:
    check = precheck_latest(session=session)
    dose = DoseAdministration.objects.filter(session=session).first()
    return {
        "check": check,
        "check_findings": [
            f for f in (check.findings if check else []) if f.get("status") == "fired"
        ],
        "dose": dose,
        "holds": session_holds(session.patient),
        "checkpoints": _checkpoints(session),
        "open_stops": (open_stops := stop_events_open(session=session)),
        "open_emergency": any(e.data.get("severity") == "critical" for e in open_stops),
        "stop_event_actions": list(STOP_EVENT_ACTIONS.items()),
        "stop_fired": extra.pop("stop_fired", False),
        "stop_reason_error": extra.pop("stop_reason_error", ""),
        "infusion_planned_end": _infusion_planned_end(session),
        "checklist_form": extra.pop("checklist_form", None) or ChecklistForm(),
        "dose_form": extra.pop("dose_form", None) or DoseForm(),
        "discharge_form": extra.pop("discharge_form", None)
        or DischargeForm(initial={"escort_name": session.escort_name}),
        "discharge_error": extra.pop("discharge_error", ""),
        "discharge_unmet": (unmet := extra.pop("discharge_unmet", [])),
        "discharge_overridable": any(c.overridable for c in unmet),
        "rating_links": [(i, INSTRUMENTS[i].title.split(" (")[0]) for i in SESSION_RATINGS],
        "can_decide": actor.has(TreatmentPerm.PHYSICIAN_DECISIONS),
        "session": session,
        "patient": session.patient,
        "vitals": list(vitals_list(session=session)),
        "events": list(session.events.order_by("-recorded_at", "-pk")[:50]),
        "can_run": actor.has(TreatmentPerm.RUN_SESSIONS),
        "vitals_form": extra.pop("vitals_form", None)
        or VitalsForm(
            initial={"idempotency_key": secrets.token_hex(8), "context": _default_context(session)}
        ),
        "checkin_form": extra.pop("checkin_form", None) or CheckInForm(),
        "abort_form": AbortForm(),
        "cancel_form": CancelForm(),
        "hand_off_form": extra.pop("hand_off_form", None) or HandOffForm(),
        "now": timezone.now(),
        **safety_context(session, extra),
        **extra,
    }


def _infusion_planned_end(session: TreatmentSession) -> Any:
    """While an IV infusion runs short of its planned time, that time (else None)."""
    if (
        session.state != SessionState.MONITORING
        or session.course.route != Route.IV_RACEMIC_KETAMINE
        or session.dose_started_at is None
        or session.infusion_ended_at is not None
    ):
        return None
    _protocol, params = session_protocol(session)
    end = session.dose_started_at + timedelta(minutes=params.iv_ketamine_infusion_minutes)
    return end if timezone.now() < end else None


def _acted_at(value: str) -> Any:
    """A clinic-time HH:MM from the stop-event form as today's aware time (None: now)."""
    value = value.strip()
    if not value:
        return None
    try:
        clock = time.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed({"acted_at": ["Write the time as HH:MM."]}) from exc
    when = timezone.make_aware(datetime.combine(timezone.localdate(), clock))
    # Just after the clinic's midnight, a time late in the evening was yesterday's.
    return when - timedelta(days=1) if when > timezone.now() + timedelta(minutes=1) else when


def _stop_marker(session: TreatmentSession) -> list[tuple[int, int]]:
    """The open stop events and their counts: a change means a rule just fired."""
    return [(e.pk, int(e.data.get("count", 1))) for e in stop_events_open(session=session)]


def _default_context(session: TreatmentSession) -> str:
    if session.state in {"dosing", "monitoring"}:
        return VitalContext.DURING
    if session.state == "recovery":
        return VitalContext.RECOVERY
    return VitalContext.PRE_DOSE


@require_GET
@with_actor
def session_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """The chairside page: state, next step, vitals and the timeline."""
    session = access_session(actor=actor, session_id=session_id)
    return render(
        request,
        "treatment/session.html",
        # After a reading that fired a stop rule (no JavaScript): focus the prompt.
        _session_context(actor, session, stop_fired=request.GET.get("stop") == "new"),
    )


@require_GET
@with_actor
def session_summary(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """The discharge summary, generated from the session record (printable)."""
    session = access_session(actor=actor, session_id=session_id)
    if session.state != SessionState.DISCHARGED:
        messages.info(request, "The discharge summary is generated once the patient is discharged.")
        return redirect("treatment:session", session.pk)
    ratings = Assessment.objects.filter(
        patient=session.patient,
        purpose__in=[AssessmentPurpose.PRE_SESSION, AssessmentPurpose.IN_SESSION],
        taken_at__gte=session.scheduled_for - timedelta(hours=12),
        taken_at__lte=session.discharged_at,
    ).order_by("taken_at", "pk")
    return render(
        request,
        "treatment/summary.html",
        {
            "session": session,
            "patient": session.patient,
            "course": session.course,
            "check": precheck_latest(session=session),
            "dose": DoseAdministration.objects.filter(session=session).first(),
            "vitals": list(vitals_list(session=session)),
            "ratings": [(r, INSTRUMENTS[r.instrument_id].title.split(" (")[0]) for r in ratings],
            "events": list(session.events.order_by("recorded_at", "pk")),
            **summary_safety_context(session),
        },
    )


@require_POST
@with_actor
def session_action(
    request: HttpRequest, actor: Actor, session_id: int, action: str
) -> HttpResponse:
    """One transition button (check in, start checks, abort, cancel, hand-off, ...)."""
    session = access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.UPDATE,
    )
    extra: dict[str, Any] = {}
    try:
        if action == "check-in":
            form = CheckInForm(request.POST)
            form.is_valid()
            extra["checkin_form"] = form
            session = session_check_in(
                actor=actor,
                session=session,
                escort_name=form.cleaned_data.get("escort_name", ""),
                escort_phone=form.cleaned_data.get("escort_phone", ""),
            )
            extra.pop("checkin_form")
        elif action == "pre-checks":
            session = session_start_prechecks(actor=actor, session=session)
        elif action == "abort":
            session = session_abort(
                actor=actor, session=session, reason=request.POST.get("reason", "")
            )
        elif action == "cancel":
            session = session_cancel(
                actor=actor, session=session, reason=request.POST.get("reason", "")
            )
        elif action == "hand-off":
            hand_off = HandOffForm(request.POST)
            hand_off.is_valid()
            extra["hand_off_form"] = hand_off
            data = hand_off.cleaned_data
            session = session_hand_off(
                actor=actor,
                session=session,
                kind=data.get("kind") or "",
                reason=data.get("reason", ""),
                destination=data.get("destination", ""),
                informed=data.get("informed", ""),
                escort_present=data.get("escort_present"),
                instructions=data.get("instructions", ""),
            )
            extra.pop("hand_off_form")
        elif action == "checklist":
            checklist = ChecklistForm(request.POST)
            extra["checklist_form"] = checklist
            if checklist.is_valid():
                precheck_record(actor=actor, session=session, answers=checklist.cleaned_data)
                extra.pop("checklist_form")
        elif action == "override":
            check = precheck_latest(session=session)
            if check is None:
                raise Conflict("No checklist recorded yet.")
            precheck_physician_decide(
                actor=actor,
                check=check,
                rule_ids=request.POST.getlist("rule_ids"),
                reason=request.POST.get("reason", ""),
            )
        elif action == "dose":
            form_dose = DoseForm(request.POST)
            extra["dose_form"] = form_dose
            if form_dose.is_valid():
                dose_prepare(
                    actor=actor,
                    session=session,
                    weight_kg=form_dose.cleaned_data["weight_kg"],
                    concentration_mg_per_ml=form_dose.cleaned_data["concentration_mg_per_ml"],
                    lot=form_dose.cleaned_data["lot"],
                )
                extra.pop("dose_form")
        elif action in {"verify", "start"}:
            dose = DoseAdministration.objects.filter(session=session).first()
            if dose is None:
                raise Conflict("No dose prepared yet.")
            if action == "verify":
                dose_verify(actor=actor, dose=dose)
            else:
                dose_start(actor=actor, dose=dose)
        elif action == "stop":
            try:
                dose_stop(actor=actor, session=session, reason=request.POST.get("reason", ""))
            except ValidationFailed as exc:
                extra["stop_reason_error"] = " ".join(exc.errors.get("reason", [exc.message]))
        elif action == "stop-event":
            event_id = request.POST.get("event_id", "")
            if not event_id.isdigit():
                raise Conflict("No such stop event in this session.")
            event = stop_event_act(
                actor=actor,
                session=session,
                event_id=int(event_id),
                action=request.POST.get("action", ""),
                acted_at=_acted_at(request.POST.get("acted_at", "")),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                f"{STOP_EVENT_ACTIONS[event.data['action']]}: recorded for "
                f"{event.text.split(':')[0].lower()}.",
            )
        elif action == "discharge":
            form_discharge = DischargeForm(request.POST)
            form_discharge.is_valid()
            escort_present = form_discharge.cleaned_data.get("escort_present", False)
            acknowledged = form_discharge.cleaned_data.get("no_driving_acknowledged", False)
            try:
                session_discharge(
                    actor=actor,
                    session=session,
                    escort_present=escort_present,
                    no_driving_acknowledged=acknowledged,
                    escort_name=form_discharge.cleaned_data.get("escort_name", ""),
                    # A physician's override of the criteria that allow one (never a floor).
                    overridden=request.POST.getlist("overridden"),
                    reason=request.POST.get("override_reason", ""),
                )
            except ValidationFailed as exc:
                _errors_to_form(form_discharge, exc)
                extra["discharge_form"] = form_discharge
            except Conflict as exc:
                extra["discharge_form"] = form_discharge
                extra["discharge_error"] = exc.message
            if "discharge_form" in extra:
                extra["discharge_unmet"] = discharge_unmet(
                    session=session,
                    now=timezone.now(),
                    escort_present=escort_present,
                    no_driving_acknowledged=acknowledged,
                )
        else:
            raise Conflict("Unknown action.")
    except ValidationFailed as exc:
        target = next(
            (
                extra[k]
                for k in ("checkin_form", "checklist_form", "dose_form", "hand_off_form")
                if k in extra
            ),
            None,
        )
        if target is not None:
            _errors_to_form(target, exc)
        else:
            messages.error(request, exc.message)
    except (Conflict, PermissionDenied, NotFound) as exc:
        messages.error(request, exc.message)
        extra.pop("hand_off_form", None)  # nothing to correct in the form: show the page
    if extra:
        session.refresh_from_db()
        status = 409 if "discharge_error" in extra else 422
        return render(
            request,
            "treatment/session.html",
            _session_context(actor, session, **extra),
            status=status,
        )
    return redirect("treatment:session", session_id=session.pk)


@require_POST
@with_actor
def vitals_create(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """Record vitals; htmx swaps in the refreshed vitals panel."""
    session = access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.CREATE,
    )
    form: VitalsForm | None = VitalsForm(request.POST)
    status = 200
    fired = False
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            _vitals, actions = vitals_record_checked(
                actor=actor,
                session=session,
                context=VitalContext(data["context"]),
                systolic_bp=data["systolic_bp"],
                diastolic_bp=data["diastolic_bp"],
                heart_rate=data["heart_rate"],
                spo2=data["spo2"],
                respiratory_rate=data["respiratory_rate"],
                idempotency_key=data["idempotency_key"] or "",
            )
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
            status = 422
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            form = None  # a fresh form with a new key
            fired = bool(actions)
    else:
        status = 422
    context = _session_context(actor, session, vitals_form=form, stop_fired=fired)
    if getattr(request, "htmx", False):
        # The vitals panel, the stop prompt at the top of the page (out of band, focused when
        # a rule fired) and a nudge for the chart to redraw: no page reload.
        response = render(request, "treatment/partials/_vitals_live.html", context, status=status)
        if status == 200:
            response["HX-Trigger"] = "keel:vitals"
        return response
    if status != 200:
        return render(request, "treatment/session.html", context, status=status)
    if fired:
        return redirect(reverse("treatment:session", args=[session.pk]) + "?stop=new#stop-prompt")
    return redirect("treatment:session", session_id=session.pk)


@require_http_methods(["GET", "POST"])
@with_actor
def session_rating_page(
    request: HttpRequest, actor: Actor, session_id: int, instrument_id: str
) -> HttpResponse:
    """Enter a session rating item by item (Keel's short item labels)."""
    if instrument_id not in SESSION_RATINGS:
        raise Http404
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    session = access_session(
        actor=actor, session_id=session_id, need=TreatmentPerm.RUN_SESSIONS, action=action
    )
    instrument = INSTRUMENTS[instrument_id]
    form = AssessmentForm(request.POST or None, items=instrument.items)
    if request.method == "POST" and form.is_valid():
        stops_before = _stop_marker(session)
        try:
            rating = session_rating_record(
                actor=actor,
                session=session,
                instrument_id=instrument_id,
                answers=form.answers(len(instrument.items)),
            )
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            result = " ".join(str(p) for p in (rating.total, rating.band) if p not in (None, ""))
            messages.success(request, f"{instrument.title.split(' (')[0]} saved: {result}.")
            if _stop_marker(session) != stops_before:  # the MOAA/S fired a stop rule
                return redirect(
                    reverse("treatment:session", args=[session.pk]) + "?stop=new#stop-prompt"
                )
            return redirect("treatment:session", session_id=session.pk)
    return render(
        request,
        "treatment/rating_form.html",
        {"session": session, "patient": session.patient, "form": form, "instrument": instrument},
        status=422 if request.method == "POST" else 200,
    )


@require_GET
@with_actor
def checkpoints_partial(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """The monitoring checkpoints panel (htmx polls it; no page reload)."""
    session = access_session(actor=actor, session_id=session_id)
    return render(
        request,
        "treatment/partials/_checkpoints.html",
        {"session": session, "checkpoints": _checkpoints(session), "now": timezone.now()},
    )


# ---------------------------------------------------------------- REMS form export, vitals chart


@require_POST
@with_actor
def rems_export_create(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    """Print the REMS monitoring form for a discharged esketamine session."""
    from keel.treatment.rems import rems_export_generate

    session = access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.EXPORT,
    )
    try:
        export = rems_export_generate(actor=actor, session=session)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"REMS monitoring form {export.form_version} printed.")
    return redirect("treatment:session", session_id=session.pk)


@require_GET
@with_actor
def rems_export_pdf(
    request: HttpRequest, actor: Actor, session_id: int, export_id: int
) -> HttpResponse:
    """Download a stored REMS form, byte-for-byte as printed."""
    from keel.treatment.rems import rems_export_download, rems_export_get

    session = access_session(actor=actor, session_id=session_id, action=AuditAction.EXPORT)
    export = rems_export_get(session=session, export_id=export_id)
    if export is None:
        raise Http404
    response = HttpResponse(
        rems_export_download(actor=actor, export=export), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="keel-rems-{export.form_version}-{export.pk}.pdf"'
    )
    return response


@require_GET
@with_actor
def vitals_chart(request: HttpRequest, actor: Actor, session_id: int) -> JsonResponse:
    """The vitals chart's series and threshold lines (JSON; gated like the session page)."""
    from keel.treatment.chart import vitals_chart_data

    session = access_session(actor=actor, session_id=session_id)
    return JsonResponse(vitals_chart_data(session))
