"""A patient's consent (staff): status, the text to read, signing, withdrawal, the PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from keel.accounts.catalogue import ConsentPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import Conflict, ValidationFailed
from keel.consent.forms import SignForm, WithdrawForm
from keel.consent.permissions import access_consent, access_patient_consent
from keel.consent.selectors import consent_list, consent_status
from keel.consent.services import consent_pdf, consent_sign, consent_withdraw
from keel.consent.text import text_blocks
from keel.consent.views._common import form_errors_from, pdf_response
from keel.patients.models import Patient


def _render_patient(
    request: HttpRequest,
    actor: Actor,
    patient: Patient,
    *,
    sign_form: SignForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    consent_state = consent_status(patient=patient)
    template = consent_state.template
    can_sign = (
        actor.has(ConsentPerm.RECORD_CONSENT)
        and template is not None
        and not consent_state.is_current
    )
    history = list(consent_list(patient=patient))
    can_withdraw = actor.has(ConsentPerm.WITHDRAW_CONSENT) and any(
        not c.is_withdrawn for c in history
    )
    shown = (
        consent_state.consent.template
        if consent_state.is_current and consent_state.consent
        else template
    )
    if can_sign and sign_form is None and template is not None:
        sign_form = SignForm(initial={"template_id": template.pk})
    if can_withdraw and withdraw_form is None:
        withdraw_form = WithdrawForm()
    return render(
        request,
        "consent/patient_consent.html",
        {
            "patient": patient,
            "status": consent_state,
            "shown": shown,
            "blocks": text_blocks(shown.body) if shown is not None else [],
            "history": history,
            "sign_form": sign_form if can_sign else None,
            "withdraw_form": withdraw_form if can_withdraw else None,
            "error": error,
        },
        status=status,
    )


@require_GET
@with_actor
def patient_consent_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """A patient's consent: status, the text to read, signing and withdrawal."""
    patient = access_patient_consent(actor=actor, patient_id=patient_id)
    return _render_patient(request, actor, patient)


@require_POST
@with_actor
def patient_sign_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Record the patient's signature, taken in person."""
    patient = access_patient_consent(
        actor=actor,
        patient_id=patient_id,
        need=ConsentPerm.RECORD_CONSENT,
        action=AuditAction.CREATE,
    )
    form = SignForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            consent_sign(
                actor=actor,
                patient=patient,
                template_id=form.cleaned_data["template_id"],
                signed_name=form.cleaned_data["signed_name"],
                confirmed=form.cleaned_data["confirmed"],
                staff_attested=form.cleaned_data["staff_attested"],
            )
        except ValidationFailed as exc:
            form_errors_from(form, exc)
        except Conflict as exc:
            error = exc.message
        else:
            messages.success(request, "Consent signed. The PDF copy is stored with the record.")
            return redirect("consent:patient", patient_id=patient.pk)
    # Showing the page again reads the consent record: the gate audits that read.
    patient = access_patient_consent(actor=actor, patient_id=patient_id)
    if error:
        # The version changed or was signed meanwhile: start again from the page as it is now.
        return _render_patient(request, actor, patient, error=error, status=409)
    return _render_patient(request, actor, patient, sign_form=form, status=422)


@require_POST
@with_actor
def patient_withdraw_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Record that the patient withdrew consent; scheduling is blocked from now on."""
    patient = access_patient_consent(
        actor=actor,
        patient_id=patient_id,
        need=ConsentPerm.WITHDRAW_CONSENT,
        action=AuditAction.UPDATE,
    )
    form = WithdrawForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            consent_withdraw(actor=actor, patient=patient, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            form_errors_from(form, exc)
        except Conflict as exc:
            error = exc.message
        else:
            messages.success(
                request,
                "Withdrawal recorded. Booked sessions not yet dosed are cancelled; "
                "no treatment session can be scheduled.",
            )
            return redirect("consent:patient", patient_id=patient.pk)
    patient = access_patient_consent(actor=actor, patient_id=patient_id)
    return _render_patient(
        request, actor, patient, withdraw_form=form, error=error, status=409 if error else 422
    )


@require_GET
@with_actor
def consent_pdf_page(request: HttpRequest, actor: Actor, consent_id: int) -> HttpResponse:
    """Download the PDF copy made when the patient signed, byte for byte."""
    consent = access_consent(actor=actor, consent_id=consent_id)
    return pdf_response(
        consent_pdf(consent=consent),
        f"consent-{consent.pk}-version-{consent.template.version}.pdf",
    )
