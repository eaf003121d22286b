"""Gates for consent: they fail closed and audit every outcome.

A patient outside the actor's scope, a missing record and a missing
permission on a record all raise ``NotFound`` (404), so a response never
shows that a record exists. Collections an actor may not use at all (the
template list) raise ``PermissionDenied`` (403), like the patient list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from keel.accounts.catalogue import ConsentPerm, PatientPerm
from keel.accounts.models import Clinic
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound, PermissionDenied
from keel.consent.models import ClinicDocument, Consent, ConsentTemplate, EducationPage
from keel.consent.selectors import education_page_approved
from keel.patients.models import Patient
from keel.patients.permissions import access_patient
from keel.patients.selectors import patient_scope

OBJECT_TYPE = "consent"
TEMPLATE_OBJECT_TYPE = "consent_template"
EDUCATION_OBJECT_TYPE = "education_page"

DocumentT = TypeVar("DocumentT", bound=ClinicDocument)

_OBJECT_TYPES: dict[type[ClinicDocument], str] = {
    ConsentTemplate: TEMPLATE_OBJECT_TYPE,
    EducationPage: EDUCATION_OBJECT_TYPE,
}


def document_object_type(model: type[ClinicDocument]) -> str:
    """The audit ``object_type`` of a document kind."""
    return _OBJECT_TYPES[model]


def _may_use_documents(actor: Actor, need: ConsentPerm | None) -> bool:
    # Documents belong to the active clinic, so only staff in a clinic use them.
    if actor.clinic_id is None:
        return False
    # Reading a document (need=None) takes either document permission:
    # an approver must read what they approve.
    if need is None:
        return actor.has(ConsentPerm.MANAGE_TEMPLATES) or actor.has(ConsentPerm.APPROVE_TEMPLATES)
    # Anything else takes exactly the permission asked for.
    return actor.has(need)


def access_documents(
    *,
    actor: Actor,
    model: type[ClinicDocument],
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> int:
    """Return the clinic id whose documents of ``model`` the actor may use; else 403.

    ``need=None`` asks for reading (either document permission).
    """
    if _may_use_documents(actor, need) and actor.clinic_id is not None:
        return actor.clinic_id
    audit_denied(
        actor=actor,
        action=action,
        object_type=document_object_type(model),
        detail={"need": need.value if need is not None else "read"},
    )
    raise PermissionDenied("Only clinic admins manage consent forms and education pages.")


def access_document(
    *,
    actor: Actor,
    model: type[DocumentT],
    document_id: int,
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> DocumentT:
    """Return one version of the actor's clinic's documents, or record the denial and 404."""
    # The actor must hold the permission; the version must belong to their clinic.
    allowed = _may_use_documents(actor, need)
    document = (
        model._default_manager.select_related("clinic", "approved_by")
        .filter(pk=document_id, clinic_id=actor.clinic_id)
        .first()
        if allowed
        else None
    )
    if document is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=document_object_type(model),
            object_id=document_id,
            detail={"need": need.value if need is not None else "read"},
        )
        raise NotFound()
    return document


def access_consent_templates(
    *,
    actor: Actor,
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> int:
    """Return the clinic id whose consent templates the actor may use; else 403."""
    return access_documents(actor=actor, model=ConsentTemplate, need=need, action=action)


def access_consent_template(
    *,
    actor: Actor,
    template_id: int,
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> ConsentTemplate:
    """Return one consent template version of the actor's clinic, or 404."""
    return access_document(
        actor=actor, model=ConsentTemplate, document_id=template_id, need=need, action=action
    )


def access_education_pages(
    *,
    actor: Actor,
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> int:
    """Return the clinic id whose education pages the actor may edit; else 403."""
    return access_documents(actor=actor, model=EducationPage, need=need, action=action)


def access_education_page(
    *,
    actor: Actor,
    page_id: int,
    need: ConsentPerm | None = None,
    action: AuditAction = AuditAction.READ,
) -> EducationPage:
    """Return one education page version of the actor's clinic, or 404."""
    return access_document(
        actor=actor, model=EducationPage, document_id=page_id, need=need, action=action
    )


# ---------------------------------------------------------------- patient consent


def _patient_or_deny(
    *, actor: Actor, patient_id: int, need: ConsentPerm, action: AuditAction
) -> Patient:
    """The patient, if inside the actor's scope; access_patient audits a READ of it."""
    try:
        return access_patient(
            actor=actor,
            patient_id=patient_id,
            need=PatientPerm.VIEW_DEMOGRAPHICS,
            action=action,
        )
    except NotFound:
        # access_patient recorded the refused patient lookup; record the consent side too.
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            detail={"need": need.value, "patient": patient_id},
        )
        raise


def access_patient_consent(
    *,
    actor: Actor,
    patient_id: int,
    need: ConsentPerm = ConsentPerm.VIEW_CONSENT,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` their consent; else record and 404.

    A successful READ is recorded here (object type "consent"); writes are
    recorded by the service that makes them.
    """
    # The actor must hold the consent permission asked for.
    if not actor.has(need):
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            detail={"need": need.value, "patient": patient_id},
        )
        raise NotFound()
    # The patient must be inside the actor's scope (clinic, own patients).
    patient = _patient_or_deny(actor=actor, patient_id=patient_id, need=need, action=action)
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
        )
    return patient


def access_consent(
    *,
    actor: Actor,
    consent_id: int,
    need: ConsentPerm = ConsentPerm.VIEW_CONSENT,
    action: AuditAction = AuditAction.READ,
) -> Consent:
    """Return one signed consent (with its PDF) if the actor may ``need`` it; else 404."""
    # The actor must hold the consent permission asked for, and the consent must exist.
    consent = (
        Consent.objects.select_related("template", "patient").filter(pk=consent_id).first()
        if actor.has(need)
        else None
    )
    if consent is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=consent_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # Its patient must be inside the actor's scope.
    _patient_or_deny(actor=actor, patient_id=consent.patient_id, need=need, action=action)
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            object_id=consent.pk,
            patient_id=consent.patient_id,
            clinic_id=consent.patient.clinic_id,
        )
    return consent


# ---------------------------------------------------------------- education page for readers


@dataclass(frozen=True)
class EducationReading:
    """What a reader sees: their clinic and its approved page (None if none yet)."""

    clinic: Clinic
    page: EducationPage | None


def access_education_reading(*, actor: Actor) -> EducationReading:
    """Return the approved education page of the reader's clinic; else record and 404.

    The page is general information, so any staff member of the clinic and
    the clinic's own patients may read it.
    """
    clinic: Clinic | None = None
    # Staff read the page of their active clinic.
    if actor.account_type == AccountType.STAFF:
        clinic = actor.clinic
    # A patient reads the page of the clinic that holds their record.
    elif actor.account_type == AccountType.PATIENT:
        patient = patient_scope(actor=actor).select_related("clinic").first()
        clinic = patient.clinic if patient is not None else None
    # Anyone else (a psychiatrist of record) belongs to no clinic here.
    if clinic is None:
        audit_denied(actor=actor, action=AuditAction.READ, object_type=EDUCATION_OBJECT_TYPE)
        raise NotFound()
    return EducationReading(clinic=clinic, page=education_page_approved(clinic_id=clinic.pk))
