"""/api/v1/consent: thin adapters over the gates and services.

Bad input answers 422 naming the field; a state that does not allow the
change (signing a version that is not approved, signing twice, approving an
approved version) answers 409; a patient, consent or template outside your
scope answers 404, like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Status

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import ConsentPerm
from keel.audit.models import AuditAction
from keel.common.schemas import ERROR_RESPONSES
from keel.consent.models import CONSENT_TOPICS, Consent, ConsentTemplate
from keel.consent.permissions import (
    access_consent,
    access_consent_template,
    access_consent_templates,
    access_patient_consent,
)
from keel.consent.schemas import (
    ConsentOut,
    ConsentSignIn,
    ConsentStatusOut,
    ConsentTemplateApproveIn,
    ConsentTemplateListOut,
    ConsentTemplateOut,
    ConsentTemplateSummaryOut,
    ConsentWithdrawIn,
)
from keel.consent.selectors import consent_status, consent_template_list
from keel.consent.services import (
    consent_pdf,
    consent_sign,
    consent_template_approve,
    consent_withdraw,
)
from keel.patients.models import Patient

router = Router()

MAX_ID = 2**63 - 1
PatientId = Annotated[int, Path(ge=1, le=MAX_ID)]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]

ERRORS = ERROR_RESPONSES


def _template_out(template: ConsentTemplate) -> ConsentTemplateOut:
    return ConsentTemplateOut.model_validate(
        {
            "id": template.pk,
            "version": template.version,
            "title": template.title,
            "body": template.body,
            "status": template.status,
            "is_sample": template.is_sample,
            "approval_marker": template.approval_marker,
            "approved_at": template.approved_at,
            "approved_by_id": template.approved_by_id,
            "topics_confirmed": [t.code for t in CONSENT_TOPICS if getattr(template, t.field)],
            "created_at": template.created_at,
            "updated_at": template.updated_at,
        }
    )


def _summary(template: ConsentTemplate) -> ConsentTemplateSummaryOut:
    return ConsentTemplateSummaryOut(
        id=template.pk,
        version=template.version,
        title=template.title,
        approved_at=template.approved_at,
    )


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut.model_validate(
        {
            "id": consent.pk,
            "patient_id": consent.patient_id,
            "template": _summary(consent.template),
            "signed_name": consent.signed_name,
            "confirmed": consent.confirmed,
            "signed_at": consent.signed_at,
            "signed_via": consent.signed_via,
            "recorded_by_id": consent.recorded_by_id,
            "staff_attested": consent.staff_attested,
            "body_sha256": consent.body_sha256,
            "pdf_sha256": consent.pdf_sha256,
            "withdrawn_at": consent.withdrawn_at,
            "withdrawn_by_id": consent.withdrawn_by_id,
            "withdrawal_reason": consent.withdrawal_reason,
        }
    )


def _status_out(patient: Patient) -> ConsentStatusOut:
    status = consent_status(patient=patient)
    return ConsentStatusOut(
        patient_id=patient.pk,
        state=status.state,
        consent=_consent_out(status.consent) if status.consent is not None else None,
        template=_summary(status.template) if status.template is not None else None,
    )


@router.get(
    "/templates",
    response={200: ConsentTemplateListOut, **ERRORS},
    operation_id="consent_template_list",
)
def consent_template_list_api(request: HttpRequest) -> ConsentTemplateListOut:
    """Every consent template version of your clinic, newest first (clinic admins)."""
    clinic_id = access_consent_templates(actor=_actor(request))
    templates = list(consent_template_list(clinic_id=clinic_id))
    return ConsentTemplateListOut(count=len(templates), items=[_template_out(t) for t in templates])


@router.post(
    "/templates/{template_id}/approve",
    response={200: ConsentTemplateOut, **ERRORS},
    operation_id="consent_template_approve",
)
def consent_template_approve_api(
    request: HttpRequest, template_id: ObjectId, payload: ConsentTemplateApproveIn
) -> ConsentTemplateOut:
    """Approve a version after confirming every required topic; the previous one retires."""
    actor = _actor(request)
    template = access_consent_template(
        actor=actor,
        template_id=template_id,
        need=ConsentPerm.APPROVE_TEMPLATES,
        action=AuditAction.UPDATE,
    )
    approved = consent_template_approve(actor=actor, template=template, topics=payload.topics)
    return _template_out(approved)


@router.get(
    "/patients/{patient_id}",
    response={200: ConsentStatusOut, **ERRORS},
    operation_id="consent_status",
)
def consent_status_api(request: HttpRequest, patient_id: PatientId) -> ConsentStatusOut:
    """A patient's consent state: none, current, withdrawn or outdated."""
    patient = access_patient_consent(actor=_actor(request), patient_id=patient_id)
    return _status_out(patient)


@router.post(
    "/patients/{patient_id}/sign",
    response={201: ConsentOut, **ERRORS},
    operation_id="consent_sign",
)
def consent_sign_api(
    request: HttpRequest, patient_id: PatientId, payload: ConsentSignIn
) -> Status[ConsentOut]:
    """Record the patient's signature on the approved version, taken in person in the clinic."""
    actor = _actor(request)
    patient = access_patient_consent(
        actor=actor,
        patient_id=patient_id,
        need=ConsentPerm.RECORD_CONSENT,
        action=AuditAction.CREATE,
    )
    consent = consent_sign(
        actor=actor,
        patient=patient,
        template_id=payload.template_id,
        signed_name=payload.signed_name,
        confirmed=payload.confirmed,
        staff_attested=payload.staff_attested,
    )
    return Status(201, _consent_out(consent))


@router.post(
    "/patients/{patient_id}/withdraw",
    response={200: ConsentStatusOut, **ERRORS},
    operation_id="consent_withdraw",
)
def consent_withdraw_api(
    request: HttpRequest, patient_id: PatientId, payload: ConsentWithdrawIn
) -> ConsentStatusOut:
    """Record that the patient withdrew consent; scheduling is blocked from now on."""
    actor = _actor(request)
    patient = access_patient_consent(
        actor=actor,
        patient_id=patient_id,
        need=ConsentPerm.WITHDRAW_CONSENT,
        action=AuditAction.UPDATE,
    )
    consent_withdraw(actor=actor, patient=patient, reason=payload.reason)
    return _status_out(patient)


@router.get(
    "/consents/{consent_id}/pdf",
    response={200: None, **ERRORS},
    operation_id="consent_pdf",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF copy made at signing, byte for byte",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def consent_pdf_api(request: HttpRequest, consent_id: ObjectId) -> HttpResponse:
    """Download the PDF copy made when the patient signed."""
    consent = access_consent(actor=_actor(request), consent_id=consent_id)
    pdf = consent_pdf(consent=consent)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="consent-{consent.pk}-version-{consent.template.version}.pdf"'
    )
    response["Content-Length"] = str(len(pdf))
    return response
