"""Staff pages: a patient's portal access, check-in schedules, visit ratings; the clinic's text packs."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.catalogue import MonitoringPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.clinical.instruments import INSTRUMENTS
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.monitoring.defaults import DEFAULTS, OPTIONAL, CoursePhase
from keel.monitoring.forms import (
    AssignmentForm,
    ClinicianRatingForm,
    DefaultsForm,
    PortalNotInvitedForm,
    TextPackForm,
)
from keel.monitoring.permissions import access_patient_monitoring, access_text_packs
from keel.monitoring.selectors import (
    assessment_list,
    assignment_get,
    assignment_list,
    course_phase_suggestion,
    demo_mode,
    diary_list,
    due_items,
    instrument_title,
    invitation_list,
    portal_not_invited_latest,
    portal_status,
    scales_missing_packs,
    text_pack_list,
)
from keel.monitoring.services import (
    CLINICIAN_SCALES,
    STAFF_ENTRY_SCALES,
    assignment_create,
    assignment_defaults_apply,
    assignment_end,
    clinician_rating_record,
    portal_invitations_revoke,
    portal_invite,
    portal_not_invited_record,
    text_pack_install,
)
from keel.monitoring.textpacks import MAX_QUESTIONNAIRE_BYTES, PATIENT_SCALES
from keel.patients.models import Patient


def _flash_error(request: HttpRequest, exc: ValidationFailed | Conflict) -> None:
    if isinstance(exc, ValidationFailed):
        for field, errs in exc.errors.items():
            messages.error(request, f"{field}: {' '.join(errs)}")
    else:
        messages.error(request, exc.message)


# ---------------------------------------------------------------- portal access


@require_GET
@with_actor
def portal_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The patient's portal access: invited / expired / active login; invite or withdraw."""
    patient = access_patient_monitoring(
        actor=actor, patient_id=patient_id, need=MonitoringPerm.INVITE_PATIENT
    )
    return render(
        request,
        "monitoring/portal.html",
        {
            "patient": patient,
            "status": portal_status(patient=patient),
            "not_invited": portal_not_invited_latest(patient=patient),
            "not_invited_form": PortalNotInvitedForm(),
            "invitations": list(invitation_list(patient=patient)[:10]),
        },
    )


def _start_panel(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(
        request,
        "monitoring/partials/_treatment_start.html",
        {
            "patient": patient,
            "assignments": [
                (instrument_title(a.instrument_id), a)
                for a in assignment_list(patient=patient, active_only=True)
            ],
            "status": portal_status(patient=patient),
            "not_invited": portal_not_invited_latest(patient=patient),
            "not_invited_form": PortalNotInvitedForm(),
        },
    )


@require_GET
@with_actor
def treatment_start_panel(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The course page's "Check-ins and portal" panel (loaded by htmx): the check-ins
    scheduled, and the portal invitation offered or why the patient is not invited."""
    patient = access_patient_monitoring(
        actor=actor, patient_id=patient_id, need=MonitoringPerm.INVITE_PATIENT
    )
    return _start_panel(request, patient)


@require_POST
@with_actor
def portal_not_invited_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Record why the patient is not invited to the portal (from the panel: swapped in place)."""
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.INVITE_PATIENT,
        action=AuditAction.CREATE,
    )
    try:
        portal_not_invited_record(
            actor=actor,
            patient=patient,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "Recorded why the patient is not invited to the portal.")
    if getattr(request, "htmx", False):
        return _start_panel(request, patient)
    return redirect("monitoring:portal", patient_id=patient.pk)


@require_POST
@with_actor
def portal_invite_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Email the patient a single-use link to create their portal login."""
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.INVITE_PATIENT,
        action=AuditAction.CREATE,
    )
    template = request.build_absolute_uri(reverse("portal:invitation", args=["TOKEN"])).replace(
        "TOKEN", "{token}"
    )
    try:
        portal_invite(actor=actor, patient=patient, accept_url_template=template)
    except (ValidationFailed, Conflict) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "Invitation sent to the patient's email address.")
    if getattr(request, "htmx", False):
        return _start_panel(request, patient)
    return redirect("monitoring:portal", patient_id=patient.pk)


@require_POST
@with_actor
def portal_revoke_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Withdraw the patient's pending invitation links."""
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.INVITE_PATIENT,
        action=AuditAction.UPDATE,
    )
    count = portal_invitations_revoke(actor=actor, patient=patient)
    messages.success(
        request,
        "Invitation link withdrawn." if count else "There was no pending invitation to withdraw.",
    )
    return redirect("monitoring:portal", patient_id=patient.pk)


# ---------------------------------------------------------------- check-in schedules


@require_http_methods(["GET", "POST"])
@with_actor
def check_ins_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Assignments with their due / overdue state; add one or end one (MANAGE_ASSIGNMENTS)."""
    writing = request.method == "POST"
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.MANAGE_ASSIGNMENTS if writing else MonitoringPerm.VIEW_RATINGS,
        action=AuditAction.UPDATE if writing else AuditAction.READ,
    )
    form = AssignmentForm(request.POST if writing and request.POST.get("form") != "end" else None)
    status = 200
    if writing and request.POST.get("form") == "end":
        raw_id = str(request.POST.get("assignment_id", ""))
        assignment = (
            assignment_get(patient=patient, assignment_id=int(raw_id))
            if raw_id.isdigit() and len(raw_id) < 19
            else None
        )
        if assignment is None:
            raise NotFound()
        try:
            assignment_end(actor=actor, assignment=assignment)
        except Conflict as exc:
            _flash_error(request, exc)
        else:
            messages.success(
                request, f"{instrument_title(assignment.instrument_id)}: schedule ended."
            )
        return redirect("monitoring:check_ins", patient_id=patient.pk)
    if writing:
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment_create(
                    actor=actor,
                    patient=patient,
                    instrument_id=data["instrument_id"],
                    frequency=data["frequency"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
            except ValidationFailed as exc:
                for field, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            except Conflict as exc:
                _flash_error(request, exc)
                return redirect("monitoring:check_ins", patient_id=patient.pk)
            else:
                messages.success(request, "Check-in scheduled.")
                return redirect("monitoring:check_ins", patient_id=patient.pk)
        status = 422
    suggested = course_phase_suggestion(patient=patient)
    return render(
        request,
        "monitoring/check_ins.html",
        {
            "patient": patient,
            "items": due_items(patient=patient),
            "ended": [a for a in assignment_list(patient=patient) if not a.active][:20],
            "ratings": assessment_list(patient=patient, limit=15),
            "diary": diary_list(patient=patient, limit=14),
            "form": form,
            "defaults_form": DefaultsForm(initial={"phase": suggested}),
            "suggested_phase": CoursePhase(suggested),
            "defaults": [
                (phase, [(d, instrument_title(d.instrument_id)) for d in rows])
                for phase, rows in DEFAULTS.items()
            ],
            "optional": [(d, instrument_title(d.instrument_id)) for d in OPTIONAL],
            "can_manage": actor.has(MonitoringPerm.MANAGE_ASSIGNMENTS),
            "can_record": actor.has(MonitoringPerm.RECORD_RATINGS),
            "visit_scales": [(i, instrument_title(i)) for i in STAFF_ENTRY_SCALES],
            "clinician_scales": CLINICIAN_SCALES,
            "demo": demo_mode(),
        },
        status=status,
    )


@require_POST
@with_actor
def defaults_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Apply the course phase's default schedule (REFERENCE.md §0)."""
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.MANAGE_ASSIGNMENTS,
        action=AuditAction.UPDATE,
    )
    form = DefaultsForm(request.POST)
    phase = (
        form.cleaned_data["phase"] if form.is_valid() else course_phase_suggestion(patient=patient)
    )
    try:
        applied = assignment_defaults_apply(actor=actor, patient=patient, phase=phase)
    except ValidationFailed as exc:
        _flash_error(request, exc)
    else:
        messages.success(
            request,
            f"{CoursePhase(phase).label} defaults applied: {len(applied.created)} scheduled, "
            f"{len(applied.ended)} replaced, {len(applied.kept)} kept.",
        )
    return redirect("monitoring:check_ins", patient_id=patient.pk)


@require_http_methods(["GET", "POST"])
@with_actor
def rating_page(
    request: HttpRequest, actor: Actor, patient_id: int, instrument_id: str
) -> HttpResponse:
    """Record a rating at a visit: MADRS or YMRS, or a patient scale from a paper form."""
    writing = request.method == "POST"
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.RECORD_RATINGS,
        action=AuditAction.CREATE if writing else AuditAction.READ,
    )
    if instrument_id not in STAFF_ENTRY_SCALES:
        raise NotFound()
    instrument = INSTRUMENTS[instrument_id]
    form = ClinicianRatingForm(request.POST if writing else None, instrument=instrument)
    status = 200
    if writing:
        if form.is_valid():
            try:
                submitted = clinician_rating_record(
                    actor=actor,
                    patient=patient,
                    instrument_id=instrument_id,
                    answers=form.answers(),
                    purpose=form.cleaned_data["purpose"],
                    taken_at=form.cleaned_data["taken_at"],
                    idempotency_key=form.cleaned_data.get("idempotency_key") or "",
                )
            except ValidationFailed as exc:
                for field, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            except Conflict as exc:
                _flash_error(request, exc)
            else:
                rating = submitted.record
                total = "incomplete" if rating.total is None else str(rating.total)
                band = f" ({rating.band})" if rating.band else ""
                messages.success(request, f"{instrument.title} saved: {total}{band}.")
                return redirect("monitoring:check_ins", patient_id=patient.pk)
        status = 422
    return render(
        request,
        "monitoring/rating_form.html",
        {
            "patient": patient,
            "instrument": instrument,
            "form": form,
            "clinician_rated": instrument_id in CLINICIAN_SCALES,
        },
        status=status,
    )


# ---------------------------------------------------------------- text packs


@require_http_methods(["GET", "POST"])
@with_actor
def text_packs_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's installed wording; upload a FHIR Questionnaire (clinic admins)."""
    writing = request.method == "POST"
    clinic = access_text_packs(
        actor=actor, action=AuditAction.CREATE if writing else AuditAction.READ
    )
    form = TextPackForm(request.POST if writing else None, request.FILES if writing else None)
    status = 200
    if writing:
        if form.is_valid():
            upload = form.cleaned_data["questionnaire_file"]
            try:
                if upload.size is not None and upload.size > MAX_QUESTIONNAIRE_BYTES:
                    raise ValidationFailed(
                        {"questionnaire_file": ["The file is larger than 1 MB."]}
                    )
                try:
                    data = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ValidationFailed(
                        {"questionnaire_file": [f"This is not a JSON file: {exc}"]}
                    ) from exc
                pack = text_pack_install(
                    actor=actor,
                    clinic=clinic,
                    questionnaire=data,
                    instrument_id=form.cleaned_data["instrument_id"],
                    language=form.cleaned_data["language"],
                    source=form.cleaned_data["source"],
                    licence_note=form.cleaned_data["licence_note"],
                )
            except ValidationFailed as exc:
                for field, errs in exc.errors.items():
                    target = "questionnaire_file" if field == "questionnaire" else field
                    for err in errs:
                        form.add_error(target if target in form.fields else None, err)
            except Conflict as exc:
                _flash_error(request, exc)
            else:
                messages.success(
                    request,
                    f"{pack.title} installed for {instrument_title(pack.instrument_id)} "
                    f"({pack.language}).",
                )
                return redirect("monitoring:text_packs")
        status = 422
    packs = list(text_pack_list(clinic_id=clinic.pk))
    missing = [scale for cid, _name, scale in scales_missing_packs() if cid == clinic.pk]
    return render(
        request,
        "monitoring/text_packs.html",
        {
            "form": form,
            "packs": packs,
            "missing": [(i, instrument_title(i)) for i in missing],
            "scales": [(i, instrument_title(i)) for i in PATIENT_SCALES],
            "active_ids": {p.instrument_id for p in packs if p.status == "active"},
            "demo": demo_mode(),
        },
        status=status,
    )
