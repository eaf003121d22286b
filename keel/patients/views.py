"""Patient pages: list with live search (htmx), detail, register, edit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from keel.accounts.catalogue import (
    AlertPerm,
    ConsentPerm,
    CoordinationPerm,
    IntakePerm,
    MonitoringPerm,
    PatientPerm,
    TreatmentPerm,
)
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import ValidationFailed
from keel.patients.forms import PatientForm
from keel.patients.permissions import access_patient, access_patient_create, access_patient_list
from keel.patients.selectors import psychiatrist_list
from keel.patients.services import patient_create, patient_update

PAGE_SIZE = 25


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
@with_actor
def patient_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's patients; the search box narrows the table as you type."""
    query = request.GET.get("q", "").strip()[:100]
    page_number = _page_number(request)
    page = access_patient_list(
        actor=actor, query=query, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    context = {
        "page": page,
        "query": query,
        "page_number": page_number,
        "has_next": page.offset + len(page.items) < page.count,
        "has_previous": page_number > 1,
        "can_create": actor.has(PatientPerm.CREATE),
    }
    if getattr(request, "htmx", False):
        return render(request, "patients/partials/_patient_table.html", context)
    return render(request, "patients/patient_list.html", context)


@require_GET
@with_actor
def patient_detail_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """One patient's record."""
    patient = access_patient(actor=actor, patient_id=patient_id)
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "can_edit": actor.has(PatientPerm.EDIT_DEMOGRAPHICS),
            "can_intake": actor.has(IntakePerm.VIEW_EVALUATION)
            and actor.has(PatientPerm.VIEW_CLINICAL),
            "can_consent": actor.has(ConsentPerm.VIEW_CONSENT),
            "can_coordination": actor.has(CoordinationPerm.VIEW_COORDINATION)
            and actor.has(PatientPerm.VIEW_CLINICAL),
            "can_treatment": actor.has(TreatmentPerm.VIEW_SESSIONS)
            and actor.has(PatientPerm.VIEW_CLINICAL),
            "can_check_ins": actor.has(MonitoringPerm.MANAGE_ASSIGNMENTS)
            and actor.has(PatientPerm.VIEW_CLINICAL),
            "can_life_chart": actor.has(MonitoringPerm.VIEW_RATINGS)
            and actor.has(PatientPerm.VIEW_CLINICAL),
            "can_portal": actor.has(MonitoringPerm.INVITE_PATIENT),
            # The alerts app serves the panel (htmx): this app does not read alerts.
            "can_alerts": actor.has(AlertPerm.VIEW_ALERTS) and actor.has(PatientPerm.VIEW_CLINICAL),
        },
    )


def _form_errors_from(form: PatientForm, exc: ValidationFailed) -> None:
    for field, errors in exc.errors.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


@require_http_methods(["GET", "POST"])
@with_actor
def patient_create_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Register a patient; the MRN is assigned on save."""
    access_patient_create(actor=actor)
    psychiatrists = psychiatrist_list(clinic_id=actor.clinic_id or 0)
    form = PatientForm(request.POST or None, psychiatrists=psychiatrists)
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_create(actor=actor, fields=form.service_fields())
        except ValidationFailed as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"{patient.full_name} registered with MRN {patient.mrn}.")
            return redirect("patients:detail", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "patients/patient_form.html", {"form": form, "creating": True}, status=status
    )


@require_http_methods(["GET", "POST"])
@with_actor
def patient_edit_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Change a patient's demographics and contacts."""
    action = AuditAction.UPDATE if request.method == "POST" else AuditAction.READ
    patient = access_patient(
        actor=actor, patient_id=patient_id, need=PatientPerm.EDIT_DEMOGRAPHICS, action=action
    )
    psychiatrists = psychiatrist_list(clinic_id=patient.clinic_id)
    form = PatientForm(request.POST or None, instance=patient, psychiatrists=psychiatrists)
    if request.method == "POST" and form.is_valid():
        try:
            patient_update(actor=actor, patient=patient, fields=form.service_fields())
        except ValidationFailed as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("patients:detail", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "creating": False, "patient": patient},
        status=status,
    )
