"""Writes for signed consents: signing (with its PDF copy) and withdrawal."""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.models import (
    REASON_MAX,
    SIGNED_NAME_MAX,
    Consent,
    ConsentTemplate,
    DocumentStatus,
    SignedVia,
)
from keel.consent.permissions import OBJECT_TYPE
from keel.consent.rendering import SignatureFacts, consent_pdf_html, pdf_from_html
from keel.consent.selectors import consent_template_approved
from keel.consent.text import name_key, text_sha256
from keel.patients.models import Patient
from keel.treatment.services.sessions import sessions_cancel_for_consent_withdrawal

logger = logging.getLogger(__name__)

_NOT_CLEANED = [
    "patient",
    "template",
    "recorded_by",
    "withdrawn_by",
    "created_by",
    "updated_by",
    "pdf",
]


class ConsentPdfDamaged(RuntimeError):
    """A stored PDF no longer matches the fingerprint taken when it was signed."""


def _sign_errors(
    *,
    patient: Patient,
    signed_name: str,
    confirmed: bool,
    staff_attested: bool,
    signed_via: SignedVia,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not signed_name.strip():
        errors["signed_name"] = ["Type the patient's full name."]
    elif len(signed_name) > SIGNED_NAME_MAX or name_key(signed_name) != name_key(patient.full_name):
        errors["signed_name"] = [
            "The typed name must match the patient's name as recorded: "
            "given name, then family name."
        ]
    if confirmed is not True:
        errors["confirmed"] = ["The patient must confirm they have read the form and agree."]
    if signed_via == SignedVia.CLINIC and staff_attested is not True:
        errors["staff_attested"] = ["Confirm that you saw the patient sign in person."]
    return errors


def _signable_template(*, patient: Patient, template_id: int) -> ConsentTemplate:
    """The template version the patient is signing; it must be the clinic's approved one."""
    template = (
        ConsentTemplate.objects.select_for_update()
        .filter(pk=template_id, clinic_id=patient.clinic_id)
        .first()
    )
    if template is None:
        raise ValidationFailed({"template_id": ["Choose this clinic's consent form."]})
    if template.status != DocumentStatus.APPROVED:
        approved = consent_template_approved(clinic_id=patient.clinic_id)
        hint = (
            f" Version {approved.version} is in use now: read that version with the patient."
            if approved is not None
            else " A clinic admin must approve a consent form first."
        )
        raise Conflict(
            f"Version {template.version} of the consent form is not approved for signing.{hint}"
        )
    return template


def consent_sign(
    *,
    actor: Actor,
    patient: Patient,
    template_id: int,
    signed_name: str,
    confirmed: bool,
    staff_attested: bool = False,
    signed_via: SignedVia = SignedVia.CLINIC,
) -> Consent:
    """Record the patient's signature on the clinic's approved consent version, with a PDF copy.

    In the clinic, ``patient`` comes from ``access_patient_consent(need=RECORD_CONSENT)``
    and the signing staff member attests they saw the patient sign; in the
    portal the actor is the patient's own account. ``template_id`` is the
    version the patient read: if another version was approved meanwhile, the
    signature is refused, so nobody signs a text they did not see.
    """
    if signed_via == SignedVia.PORTAL and not (
        actor.account_type == AccountType.PATIENT and patient.user_id == actor.user_id
    ):
        raise PermissionDenied("Only the patient signs in the portal.")
    errors = _sign_errors(
        patient=patient,
        signed_name=signed_name,
        confirmed=confirmed,
        staff_attested=staff_attested,
        signed_via=signed_via,
    )
    if errors:
        raise ValidationFailed(errors)
    signed_at = timezone.now()
    in_clinic = signed_via == SignedVia.CLINIC
    recorded_by = actor.user if in_clinic else None
    try:
        with transaction.atomic():
            template = _signable_template(patient=patient, template_id=template_id)
            if Consent.objects.filter(
                patient=patient, template=template, withdrawn_at__isnull=True
            ).exists():
                raise Conflict(f"The patient has already signed version {template.version}.")
            body_sha256 = text_sha256(template.body)
            pdf = pdf_from_html(
                consent_pdf_html(
                    template=template,
                    patient=patient,
                    signature=SignatureFacts(
                        signed_name=" ".join(signed_name.split()),
                        signed_at=signed_at,
                        signed_via_label=str(SignedVia(signed_via).label),
                        recorded_by_name=(
                            (recorded_by.get_full_name() or recorded_by.get_username())
                            if recorded_by is not None
                            else ""
                        ),
                        staff_attested=in_clinic and staff_attested,
                        body_sha256=body_sha256,
                    ),
                )
            )
            consent = Consent(
                patient=patient,
                template=template,
                signed_name=" ".join(signed_name.split()),
                confirmed=True,
                signed_at=signed_at,
                signed_via=signed_via,
                recorded_by=recorded_by,
                staff_attested=in_clinic and staff_attested,
                body_sha256=body_sha256,
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                created_by=actor.user,
                updated_by=actor.user,
            )
            try:
                consent.full_clean(exclude=_NOT_CLEANED, validate_constraints=False)
            except ValidationError as exc:
                raise ValidationFailed(exc.message_dict) from exc
            consent.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=consent.pk,
                patient_id=patient.pk,
                clinic_id=patient.clinic_id,
                detail={
                    "template_id": template.pk,
                    "version": template.version,
                    "signed_via": str(signed_via),
                },
            )
    except IntegrityError as exc:
        # A second signature raced this one past the check above.
        raise Conflict("The patient has already signed this version.") from exc
    return consent


def consent_withdraw(*, actor: Actor, patient: Patient, reason: str) -> list[Consent]:
    """Record that the patient withdrew consent; no session may be scheduled afterwards.

    Every standing signature of the patient (the current one and any older
    version) is withdrawn. In the same transaction the patient's booked
    sessions whose dose has not started are cancelled with the reason, and
    the care team is told once it commits. ``patient`` must come from
    ``access_patient_consent(need=WITHDRAW_CONSENT)``.
    """
    reason = normalise_reason(reason)
    if not reason:
        raise ValidationFailed({"reason": ["Give the reason for the withdrawal."]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [f"Keep the reason under {REASON_MAX} characters."]})
    now = timezone.now()
    with transaction.atomic():
        standing = list(
            Consent.objects.select_for_update()
            .filter(patient=patient, withdrawn_at__isnull=True)
            .order_by("-signed_at", "-pk")
        )
        if not standing:
            raise Conflict("The patient has no signed consent to withdraw.")
        for consent in standing:
            consent.withdrawn_at = now
            consent.withdrawn_by = actor.user
            consent.withdrawal_reason = reason
            consent.updated_by = actor.user
            consent.save(
                update_fields=[
                    "withdrawn_at",
                    "withdrawn_by",
                    "withdrawal_reason",
                    "updated_by",
                    "updated_at",
                ]
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=consent.pk,
                patient_id=patient.pk,
                clinic_id=patient.clinic_id,
                detail={"fields": ["withdrawn_at"], "template_id": consent.template_id},
            )
        sessions_cancel_for_consent_withdrawal(actor=actor, patient=patient, reason=reason)
    return standing


def normalise_reason(reason: str) -> str:
    """Trim the reason and use plain line ends."""
    return reason.replace("\r\n", "\n").strip()


def consent_pdf(*, consent: Consent) -> bytes:
    """The PDF copy made at signing, byte for byte; refuses a copy that no longer matches.

    ``consent`` must come from ``access_consent``.
    """
    pdf = bytes(consent.pdf)
    if hashlib.sha256(pdf).hexdigest() != consent.pdf_sha256:
        logger.error("consent %s: stored PDF does not match its fingerprint", consent.pk)
        raise ConsentPdfDamaged(f"consent {consent.pk}: stored PDF does not match its fingerprint")
    return pdf


def consent_template_preview_pdf(*, template: ConsentTemplate) -> bytes:
    """A printable blank copy of a template version, marked while it is not approved.

    ``template`` must come from ``access_consent_template``.
    """
    return pdf_from_html(consent_pdf_html(template=template, patient=None, signature=None))
