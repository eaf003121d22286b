"""Coordination pages: status per patient, the psychiatrist's own list, invitations, letters."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.catalogue import CoordinationPerm
from keel.accounts.decorators import with_actor
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.coordination.forms import AcceptInvitationForm, AcknowledgeForm, ExceptionForm
from keel.coordination.permissions import access_patient_coordination
from keel.coordination.selectors import clearance_get, invitation_pending, letter_get, letter_list
from keel.coordination.services import (
    invitation_accept,
    letter_generate,
    plan_ack_exception,
    plan_acknowledge,
    psychiatrist_invite,
)
from keel.patients.permissions import access_patient_list


@require_GET
@with_actor
def coordination_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The psychiatrist of record, the plan's acknowledgement, letters, and clearance."""
    patient = access_patient_coordination(actor=actor, patient_id=patient_id)
    psychiatrist = patient.psychiatrist_of_record
    is_their_psychiatrist = psychiatrist is not None and psychiatrist.user_id == actor.user_id
    return render(
        request,
        "coordination/patient.html",
        {
            "patient": patient,
            "psychiatrist": psychiatrist,
            "clearance": clearance_get(patient=patient),
            "letters": list(letter_list(patient=patient)),
            "invitation": invitation_pending(psychiatrist=psychiatrist) if psychiatrist else None,
            "can_invite": actor.has(CoordinationPerm.INVITE_PSYCHIATRIST),
            "can_acknowledge": actor.has(CoordinationPerm.ACKNOWLEDGE_PLAN)
            and is_their_psychiatrist,
            "can_except": actor.has(CoordinationPerm.RECORD_ACK_EXCEPTION),
            "can_write": actor.has(CoordinationPerm.WRITE_LETTER),
            "ack_form": AcknowledgeForm(),
            "exception_form": ExceptionForm(),
        },
    )


@require_GET
@with_actor
def my_patients_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The psychiatrist of record's own patients and what waits for them."""
    if actor.account_type != AccountType.PSYCHIATRIST_OF_RECORD:
        raise NotFound()
    page = access_patient_list(actor=actor, limit=100)
    rows = [(p, clearance_get(patient=p)) for p in page.items]
    return render(request, "coordination/my_patients.html", {"rows": rows, "count": page.count})


def _redirect_back(patient_id: int) -> HttpResponse:
    return redirect("coordination:patient", patient_id=patient_id)


def _flash_error(request: HttpRequest, exc: ValidationFailed | Conflict) -> None:
    if isinstance(exc, ValidationFailed):
        for field, errs in exc.errors.items():
            messages.error(request, f"{field}: {' '.join(errs)}")
    else:
        messages.error(request, exc.message)


@require_POST
@with_actor
def invite_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Send the psychiatrist of record their single-use invitation link."""
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.INVITE_PSYCHIATRIST,
        action=AuditAction.CREATE,
    )
    template = request.build_absolute_uri(reverse("coordination:accept", args=["TOKEN"])).replace(
        "TOKEN", "{token}"
    )
    try:
        psychiatrist_invite(actor=actor, patient=patient, accept_url_template=template)
    except (ValidationFailed, Conflict) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "Invitation sent.")
    return _redirect_back(patient.pk)


@require_POST
@with_actor
def acknowledge_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The psychiatrist of record acknowledges the plan."""
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.ACKNOWLEDGE_PLAN,
        action=AuditAction.CREATE,
    )
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm you have read the plan.")
        return _redirect_back(patient.pk)
    try:
        plan_acknowledge(actor=actor, patient=patient, comment=form.cleaned_data["comment"])
    except (ValidationFailed, Conflict) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "Thank you: the plan is acknowledged.")
    return _redirect_back(patient.pk)


@require_POST
@with_actor
def exception_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """A physician records why acknowledgement was impossible."""
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.RECORD_ACK_EXCEPTION,
        action=AuditAction.CREATE,
    )
    try:
        plan_ack_exception(actor=actor, patient=patient, reason=request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "Exception recorded.")
    return _redirect_back(patient.pk)


@require_POST
@with_actor
def letter_create_view(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Generate and store the coordination letter."""
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.WRITE_LETTER,
        action=AuditAction.CREATE,
    )
    letter_generate(actor=actor, patient=patient)
    messages.success(
        request, "Letter generated; the psychiatrist of record has been told it is waiting."
    )
    return _redirect_back(patient.pk)


@require_GET
@with_actor
def letter_pdf_view(
    request: HttpRequest, actor: Actor, patient_id: int, letter_id: int
) -> HttpResponse:
    """Download a stored letter, byte-for-byte as generated."""
    patient = access_patient_coordination(
        actor=actor, patient_id=patient_id, action=AuditAction.EXPORT
    )
    letter = letter_get(patient=patient, letter_id=letter_id)
    if letter is None:
        raise NotFound()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="coordination_letter",
        object_id=letter.pk,
        patient_id=patient.pk,
    )
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="keel-letter-{letter.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def accept_invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """A psychiatrist of record creates their login from the emailed link."""
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                raw_token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ValidationFailed as exc:
            for field, errs in exc.errors.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, "Your login is ready. Sign in with it now.")
            return redirect("accounts:login")
    status = 422 if request.method == "POST" else 200
    return render(request, "coordination/accept.html", {"form": form}, status=status)
