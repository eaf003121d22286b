"""Writes for coordination: invite the psychiatrist of record, acknowledgements, letters."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from keel.accounts.models import User
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.accounts.services import outside_user_create
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.clinical.instruments import INSTRUMENTS
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.coordination.models import (
    AcknowledgementKind,
    CoordinationLetter,
    PlanAcknowledgement,
    PsychiatristInvitation,
)
from keel.coordination.permissions import OBJECT_TYPE
from keel.coordination.selectors import acknowledgement_current
from keel.intake.models import DecisionOutcome, EligibilityDecision
from keel.intake.selectors import BASELINE_INSTRUMENTS, decision_latest, evaluation_current
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.selectors import assessment_latest_by_instrument
from keel.patients.models import Patient, PsychiatristOfRecord

INVITATION_DAYS = 14
MIN_REASON_CHARS = 10


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def psychiatrist_invite(
    *, actor: Actor, patient: Patient, accept_url_template: str
) -> PsychiatristInvitation:
    """Email the patient's psychiatrist of record a single-use link to create their login.

    ``accept_url_template`` contains ``{token}``; the raw token is only ever in
    the email, the database keeps its hash.
    """
    psychiatrist = patient.psychiatrist_of_record
    if psychiatrist is None:
        raise Conflict("Record the patient's psychiatrist of record first.")
    if psychiatrist.user_id is not None:
        raise Conflict(f"{psychiatrist.name} already has a Keel login.")
    if not psychiatrist.email:
        raise ValidationFailed({"email": ["The psychiatrist of record has no email address."]})
    raw = secrets.token_urlsafe(32)
    invitation = PsychiatristInvitation(
        psychiatrist=psychiatrist,
        email=psychiatrist.email,
        token_hash=_hash(raw),
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        created_by=actor.user,
    )
    link = accept_url_template.format(token=raw)
    clinic_name = patient.clinic.name
    with transaction.atomic():
        invitation.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="psychiatrist_invitation",
            object_id=invitation.pk,
            patient_id=patient.pk,
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{clinic_name}: your Keel account as psychiatrist of record",
                message=render_to_string(
                    "coordination/email/invitation.txt",
                    {
                        "psychiatrist": psychiatrist,
                        "clinic_name": clinic_name,
                        "link": link,
                        "days": INVITATION_DAYS,
                    },
                ),
                from_email=None,
                recipient_list=[psychiatrist.email],
            )
        )
    return invitation


def invitation_accept(*, raw_token: str, username: str, password: str) -> User:
    """Create the psychiatrist's login from a usable invitation (single use)."""
    invitation = (
        PsychiatristInvitation.objects.select_related("psychiatrist")
        .filter(token_hash=_hash(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise NotFound("This invitation link is not valid any more. Ask the clinic for a new one.")
    psychiatrist = invitation.psychiatrist
    names = psychiatrist.name.removeprefix("Dr ").split()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    try:
        validate_password(password, User(username=username, email=invitation.email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = PsychiatristInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise NotFound("This invitation link has been used.")
        try:
            user = outside_user_create(
                username=username,
                password=password,
                first_name=" ".join(names[:-1]),
                last_name=names[-1] if names else "",
                email=invitation.email,
                account_type=AccountType.PSYCHIATRIST_OF_RECORD,
            )
        except ValidationError as exc:
            raise ValidationFailed(exc.message_dict) from exc
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        PsychiatristOfRecord.objects.filter(pk=psychiatrist.pk).update(user=user)
        audit_record(
            actor=None,
            username=username,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.pk,
            clinic_id=psychiatrist.clinic_id,
            detail={"via": "psychiatrist_invitation", "invitation": locked.pk},
        )
    return user


def _eligible_decision(patient: Patient) -> EligibilityDecision:
    decision = decision_latest(patient=patient)
    if decision is None or decision.outcome != DecisionOutcome.ELIGIBLE:
        raise Conflict("There is no plan to acknowledge: the latest decision is not 'eligible'.")
    return decision


def plan_acknowledge(*, actor: Actor, patient: Patient, comment: str = "") -> PlanAcknowledgement:
    """The psychiatrist of record acknowledges the plan of the latest eligible decision."""
    decision = _eligible_decision(patient)
    psychiatrist = patient.psychiatrist_of_record
    if psychiatrist is None or psychiatrist.user_id != actor.user_id:
        raise NotFound()
    if acknowledgement_current(patient=patient) is not None:
        raise Conflict("The plan has already been acknowledged.")
    return _acknowledgement_save(
        actor=actor,
        patient=patient,
        decision=decision,
        kind=AcknowledgementKind.ACKNOWLEDGED,
        psychiatrist=psychiatrist,
        comment=comment.strip(),
    )


def plan_ack_exception(*, actor: Actor, patient: Patient, reason: str) -> PlanAcknowledgement:
    """A physician records why the psychiatrist's acknowledgement was impossible (reason required)."""
    decision = _eligible_decision(patient)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write why the acknowledgement was not possible."]})
    if acknowledgement_current(patient=patient) is not None:
        raise Conflict("The plan has already been acknowledged.")
    return _acknowledgement_save(
        actor=actor,
        patient=patient,
        decision=decision,
        kind=AcknowledgementKind.EXCEPTION,
        psychiatrist=patient.psychiatrist_of_record,
        comment=reason.strip(),
    )


def _acknowledgement_save(
    *,
    actor: Actor,
    patient: Patient,
    decision: EligibilityDecision,
    kind: AcknowledgementKind,
    psychiatrist: PsychiatristOfRecord | None,
    comment: str,
) -> PlanAcknowledgement:
    acknowledgement = PlanAcknowledgement(
        patient=patient,
        decision=decision,
        kind=kind,
        psychiatrist=psychiatrist,
        comment=comment,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    with transaction.atomic():
        acknowledgement.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="plan_acknowledgement",
            object_id=acknowledgement.pk,
            patient_id=patient.pk,
            detail={"kind": str(kind), "decision": decision.pk},
        )
    return acknowledgement


def letter_generate(*, actor: Actor, patient: Patient, email: bool = True) -> CoordinationLetter:
    """Write the coordination letter as a PDF, store it, and email it to the psychiatrist of record."""
    from weasyprint import HTML  # imported here: loading Pango costs time at startup

    decision = decision_latest(patient=patient)
    evaluation = evaluation_current(patient=patient)
    baseline = assessment_latest_by_instrument(patient=patient, purpose=AssessmentPurpose.BASELINE)
    now = timezone.now()
    html = render_to_string(
        "coordination/pdf/letter.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "decision": decision,
            "evaluation": evaluation,
            "baseline_rows": [(INSTRUMENTS[i], baseline.get(i)) for i in BASELINE_INSTRUMENTS],
            "psychiatrist": patient.psychiatrist_of_record,
            "author": actor.user,
            "generated_at": timezone.localtime(now, patient.clinic.tzinfo),
        },
    )
    pdf = HTML(string=html).write_pdf()
    letter = CoordinationLetter(
        patient=patient,
        decision=decision,
        psychiatrist=patient.psychiatrist_of_record,
        title="Coordination letter: evaluation, decision and plan",
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        generated_by=actor.user,
        generated_at=now,
    )
    psychiatrist = patient.psychiatrist_of_record
    with transaction.atomic():
        letter.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coordination_letter",
            object_id=letter.pk,
            patient_id=patient.pk,
        )
        if email and psychiatrist is not None and psychiatrist.email:
            letter_id = letter.pk
            transaction.on_commit(lambda: _email_letter(letter_id))
    return letter


def _email_letter(letter_id: int) -> None:
    """Tell the psychiatrist a letter is waiting; the email carries no patient data.

    The letter itself is read in Keel (their restricted login), so no health
    information travels by email.
    """
    letter = (
        CoordinationLetter.objects.defer("pdf")
        .select_related("psychiatrist", "patient__clinic")
        .get(pk=letter_id)
    )
    psychiatrist = letter.psychiatrist
    if psychiatrist is None:
        return
    send_mail(
        subject=f"{letter.patient.clinic.name}: a new letter is waiting in Keel",
        message=render_to_string(
            "coordination/email/letter.txt",
            {"psychiatrist": psychiatrist, "clinic_name": letter.patient.clinic.name},
        ),
        from_email=None,
        recipient_list=[psychiatrist.email],
    )
    CoordinationLetter.objects.filter(pk=letter.pk).update(emailed_at=timezone.now())


__all__ = ["OBJECT_TYPE"]
