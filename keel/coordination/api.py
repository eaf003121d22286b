"""/api/v1/coordination: clearance, invitation, acknowledgement, letters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema, Status
from pydantic import ConfigDict, Field

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import CoordinationPerm
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import NotFound
from keel.common.schemas import ERROR_RESPONSES
from keel.coordination.models import CoordinationLetter, PlanAcknowledgement
from keel.coordination.permissions import access_patient_coordination
from keel.coordination.selectors import clearance_get, letter_get, letter_list
from keel.coordination.services import (
    letter_generate,
    plan_ack_exception,
    plan_acknowledge,
    psychiatrist_invite,
)

router = Router()

PatientId = Annotated[int, Path(ge=1, le=2**63 - 1)]
LetterId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS = ERROR_RESPONSES
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class AcknowledgementOut(Schema):
    id: int
    kind: str
    comment: str
    decision_id: int
    recorded_at: dt.datetime


class LetterOut(Schema):
    id: int
    title: str
    pdf_sha256: str
    generated_at: dt.datetime
    emailed_at: dt.datetime | None


class ClearanceOut(Schema):
    """Whether the patient is cleared for a first session."""

    patient_id: int
    cleared: bool
    eligible: bool
    consent: bool
    acknowledged: bool
    missing: list[str]
    acknowledgement: AcknowledgementOut | None
    letters: list[LetterOut]


class AcknowledgeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str, Field(max_length=4000, pattern=TEXT)] = ""


class ExceptionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=4000, pattern=TEXT)]


class PsychiatristInvitationOut(Schema):
    id: int
    email: str
    expires_at: dt.datetime


def _ack_out(ack: PlanAcknowledgement) -> AcknowledgementOut:
    return AcknowledgementOut(
        id=ack.pk,
        kind=ack.kind,
        comment=ack.comment,
        decision_id=ack.decision_id,
        recorded_at=ack.recorded_at,
    )


@router.get(
    "/patients/{patient_id}", response={200: ClearanceOut, **ERRORS}, operation_id="clearance_get"
)
def clearance_get_api(request: HttpRequest, patient_id: PatientId) -> ClearanceOut:
    """Clearance for a first session: decision, consent, acknowledgement; and the letters."""
    patient = access_patient_coordination(actor=_actor(request), patient_id=patient_id)
    clearance = clearance_get(patient=patient)
    return ClearanceOut(
        patient_id=patient.pk,
        cleared=clearance.cleared,
        eligible=clearance.eligible,
        consent=clearance.consent,
        acknowledged=clearance.acknowledged,
        missing=clearance.missing,
        acknowledgement=None
        if clearance.acknowledgement is None
        else _ack_out(clearance.acknowledgement),
        letters=[
            LetterOut.model_validate(letter, from_attributes=True)
            for letter in letter_list(patient=patient)
        ],
    )


@router.post(
    "/patients/{patient_id}/invitation",
    response={201: PsychiatristInvitationOut, **ERRORS},
    operation_id="psychiatrist_invite",
)
def psychiatrist_invite_api(
    request: HttpRequest, patient_id: PatientId
) -> Status[PsychiatristInvitationOut]:
    """Email the psychiatrist of record a single-use link to create their login."""
    actor = _actor(request)
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.INVITE_PSYCHIATRIST,
        action=AuditAction.CREATE,
    )
    template = request.build_absolute_uri("/coordination/invitations/TOKEN/").replace(
        "TOKEN", "{token}"
    )
    invitation = psychiatrist_invite(actor=actor, patient=patient, accept_url_template=template)
    return Status(
        201,
        PsychiatristInvitationOut(
            id=invitation.pk, email=invitation.email, expires_at=invitation.expires_at
        ),
    )


@router.post(
    "/patients/{patient_id}/acknowledgement",
    response={201: AcknowledgementOut, **ERRORS},
    operation_id="plan_acknowledge",
)
def plan_acknowledge_api(
    request: HttpRequest, patient_id: PatientId, payload: AcknowledgeIn
) -> Status[AcknowledgementOut]:
    """The psychiatrist of record acknowledges the plan of the latest eligible decision."""
    actor = _actor(request)
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.ACKNOWLEDGE_PLAN,
        action=AuditAction.CREATE,
    )
    return Status(
        201, _ack_out(plan_acknowledge(actor=actor, patient=patient, comment=payload.comment))
    )


@router.post(
    "/patients/{patient_id}/exception",
    response={201: AcknowledgementOut, **ERRORS},
    operation_id="plan_ack_exception",
)
def plan_ack_exception_api(
    request: HttpRequest, patient_id: PatientId, payload: ExceptionIn
) -> Status[AcknowledgementOut]:
    """A physician records why the psychiatrist's acknowledgement was impossible."""
    actor = _actor(request)
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.RECORD_ACK_EXCEPTION,
        action=AuditAction.CREATE,
    )
    return Status(
        201, _ack_out(plan_ack_exception(actor=actor, patient=patient, reason=payload.reason))
    )


@router.post(
    "/patients/{patient_id}/letters",
    response={201: LetterOut, **ERRORS},
    operation_id="letter_generate",
)
def letter_generate_api(request: HttpRequest, patient_id: PatientId) -> Status[CoordinationLetter]:
    """Generate and store the coordination letter (PDF)."""
    actor = _actor(request)
    patient = access_patient_coordination(
        actor=actor,
        patient_id=patient_id,
        need=CoordinationPerm.WRITE_LETTER,
        action=AuditAction.CREATE,
    )
    return Status(201, letter_generate(actor=actor, patient=patient))


@router.get(
    "/patients/{patient_id}/letters/{letter_id}/pdf",
    response={200: None, **ERRORS},
    operation_id="letter_pdf",
)
def letter_pdf_api(
    request: HttpRequest, patient_id: PatientId, letter_id: LetterId
) -> HttpResponse:
    """The stored PDF, byte-for-byte."""
    actor = _actor(request)
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
