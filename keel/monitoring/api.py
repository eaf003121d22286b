"""/api/v1/monitoring: the portal's own check-ins (``/me/...``) and the staff's operations.

Patients call ``/me/...`` with their login session (+ CSRF header); every
other operation is for clinic staff by permission. A submission with the
same idempotency key (``Idempotency-Key`` header or ``idempotency_key`` in
the body) returns the first stored row with 200; the first time it is 201.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Header, Path, Query, Router, Status

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import MonitoringPerm
from keel.audit.models import AuditAction
from keel.common.exceptions import NotFound, ValidationFailed
from keel.common.schemas import ERROR_RESPONSES
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry, TextPack
from keel.monitoring.permissions import (
    access_own_patient,
    access_patient_monitoring,
    access_text_packs,
)
from keel.monitoring.schemas import (
    AssignmentIn,
    AssignmentOut,
    ClinicianRatingIn,
    DefaultsIn,
    DefaultsOut,
    DiaryIn,
    DiaryOut,
    DueItemOut,
    DueOut,
    PortalInvitationOut,
    PortalRatingIn,
    PortalStatusOut,
    RatingOut,
    RevokedOut,
    TextPackIn,
    TextPackOut,
)
from keel.monitoring.selectors import (
    DueItem,
    assessment_list,
    assignment_get,
    clinic_today,
    crisis_level,
    diary_list,
    due_items,
    portal_status,
    text_pack_list,
)
from keel.monitoring.services import (
    assignment_create,
    assignment_defaults_apply,
    assignment_end,
    clinician_rating_record,
    diary_submit,
    portal_invitations_revoke,
    portal_invite,
    portal_rating_submit,
    text_pack_install,
)

router = Router()

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)]
ERRORS = ERROR_RESPONSES


def _key(header: str | None, body: str) -> str:
    """The idempotency key from the header or the body (they must agree when both are sent)."""
    header = (header or "").strip()
    if header and body and header != body:
        raise ValidationFailed(
            {"idempotency_key": ["The Idempotency-Key header and the body's key differ."]}
        )
    return header or body


def _rating_out(assessment: Assessment) -> RatingOut:
    return RatingOut(
        id=assessment.pk,
        instrument_id=assessment.instrument_id,
        instrument_version=assessment.instrument_version,
        answers=list(assessment.answers),
        total=assessment.total,
        band=assessment.band,
        complete=assessment.complete,
        flags=[str(flag) for flag in assessment.flags],
        purpose=assessment.purpose,
        taken_at=assessment.taken_at,
        acute_post_dose=assessment.acute_post_dose,
        crisis=crisis_level(assessment),  # type: ignore[arg-type]  # one of the three values
    )


def _diary_out(entry: DiaryEntry) -> DiaryOut:
    return DiaryOut.model_validate(entry, from_attributes=True)


def _wording(item: DueItem) -> str:
    if item.is_diary:
        return "keel"
    return "text_pack" if item.pack is not None else "demo"


def _assignment_out(assignment: Assignment, item: DueItem | None = None) -> AssignmentOut:
    return AssignmentOut(
        id=assignment.pk,
        instrument_id=assignment.instrument_id,
        frequency=assignment.frequency,
        start_date=assignment.start_date,
        end_date=assignment.end_date,
        active=assignment.active,
        status=item.state.status if item is not None else None,
        due_on=item.state.due_on if item is not None else None,
        days_overdue=item.state.days_overdue if item is not None else None,
        last_completed_on=item.last_completed_on if item is not None else None,
        offered_in_portal=item.offered if item is not None else None,
    )


def _pack_out(pack: TextPack) -> TextPackOut:
    items = pack.items if isinstance(pack.items, dict) else {}
    wording = items.get("items", {})
    warnings = items.get("warnings", [])
    return TextPackOut(
        id=pack.pk,
        instrument_id=pack.instrument_id,
        instrument_version=pack.instrument_version,
        language=pack.language,
        title=pack.title,
        source=pack.source,
        licence_note=pack.licence_note,
        status=pack.status,
        created_at=pack.created_at,
        item_count=len(wording) if isinstance(wording, dict) else 0,
        matched_by=str(items.get("matched_by", "")),
        warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [],
    )


# ---------------------------------------------------------------- the patient's own


@router.get("/me/due", response={200: DueOut, **ERRORS}, operation_id="portal_due_list")
def portal_due_list_api(request: HttpRequest) -> DueOut:
    """The signed-in patient's check-ins today: due, overdue, done (clinic time zone)."""
    patient = access_own_patient(actor=_actor(request))
    today = clinic_today(patient)
    return DueOut(
        today=today,
        clinic_phone=patient.clinic.phone,
        review_note=patient.clinic.check_in_review_note,
        items=[
            DueItemOut(
                assignment_id=item.assignment.pk,
                instrument_id=item.instrument_id,
                title=item.title,
                frequency=item.assignment.frequency,
                status=item.state.status,
                due_on=item.state.due_on,
                days_overdue=item.state.days_overdue,
                last_completed_on=item.last_completed_on,
                wording=_wording(item),  # type: ignore[arg-type]  # one of the three values
            )
            for item in due_items(patient=patient, today=today)
            if item.offered
        ],
    )


@router.post(
    "/me/diary",
    response={200: DiaryOut, 201: DiaryOut, **ERRORS},
    operation_id="portal_diary_submit",
)
def portal_diary_submit_api(
    request: HttpRequest, payload: DiaryIn, idempotency_key: KeyHeader = None
) -> Status[DiaryOut]:
    """Today's diary entry: one per day (409 for different answers the same day)."""
    actor = _actor(request)
    patient = access_own_patient(actor=actor, action=AuditAction.CREATE)
    submitted = diary_submit(
        actor=actor,
        patient=patient,
        mood=payload.mood,
        sleep_hours=payload.sleep_hours,
        felt_less_need_for_sleep=payload.felt_less_need_for_sleep,
        irritability=payload.irritability,
        energy=payload.energy,
        medication_taken_as_prescribed=payload.medication_taken_as_prescribed,
        idempotency_key=_key(idempotency_key, payload.idempotency_key),
    )
    return Status(201 if submitted.created else 200, _diary_out(submitted.record))


@router.post(
    "/me/ratings",
    response={200: RatingOut, 201: RatingOut, **ERRORS},
    operation_id="portal_rating_submit",
)
def portal_rating_submit_api(
    request: HttpRequest, payload: PortalRatingIn, idempotency_key: KeyHeader = None
) -> Status[RatingOut]:
    """A scale the portal offers (a text pack, or the demo); ``crisis`` says what to show first."""
    actor = _actor(request)
    patient = access_own_patient(actor=actor, action=AuditAction.CREATE)
    submitted = portal_rating_submit(
        actor=actor,
        patient=patient,
        instrument_id=payload.instrument_id,
        answers=payload.answers,
        idempotency_key=_key(idempotency_key, payload.idempotency_key),
    )
    return Status(201 if submitted.created else 200, _rating_out(submitted.record))


# ---------------------------------------------------------------- staff: ratings and diary


@router.get(
    "/patients/{patient_id}/ratings",
    response={200: list[RatingOut], **ERRORS},
    operation_id="monitoring_rating_list",
)
def rating_list_api(
    request: HttpRequest, patient_id: Id, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[RatingOut]:
    """The patient's ratings, newest first."""
    patient = access_patient_monitoring(actor=_actor(request), patient_id=patient_id)
    return [_rating_out(a) for a in assessment_list(patient=patient, limit=limit)]


@router.post(
    "/patients/{patient_id}/ratings",
    response={200: RatingOut, 201: RatingOut, **ERRORS},
    operation_id="clinician_rating_record",
)
def clinician_rating_record_api(
    request: HttpRequest,
    patient_id: Id,
    payload: ClinicianRatingIn,
    idempotency_key: KeyHeader = None,
) -> Status[RatingOut]:
    """Record a rating at a visit (MADRS, YMRS, or a patient scale from paper)."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.RECORD_RATINGS,
        action=AuditAction.CREATE,
    )
    submitted = clinician_rating_record(
        actor=actor,
        patient=patient,
        instrument_id=payload.instrument_id,
        answers=payload.answers,
        purpose=AssessmentPurpose(payload.purpose),
        taken_at=payload.taken_at,
        idempotency_key=_key(idempotency_key, payload.idempotency_key),
    )
    return Status(201 if submitted.created else 200, _rating_out(submitted.record))


@router.get(
    "/patients/{patient_id}/diary",
    response={200: list[DiaryOut], **ERRORS},
    operation_id="monitoring_diary_list",
)
def diary_list_api(
    request: HttpRequest, patient_id: Id, limit: Annotated[int, Query(ge=1, le=500)] = 90
) -> list[DiaryOut]:
    """The patient's diary entries, newest day first."""
    patient = access_patient_monitoring(actor=_actor(request), patient_id=patient_id)
    return [_diary_out(entry) for entry in diary_list(patient=patient, limit=limit)]


# ---------------------------------------------------------------- staff: assignments


@router.get(
    "/patients/{patient_id}/assignments",
    response={200: list[AssignmentOut], **ERRORS},
    operation_id="assignment_list",
)
def assignment_list_api(request: HttpRequest, patient_id: Id) -> list[AssignmentOut]:
    """Active assignments with today's due / overdue state."""
    patient = access_patient_monitoring(actor=_actor(request), patient_id=patient_id)
    return [_assignment_out(item.assignment, item) for item in due_items(patient=patient)]


@router.post(
    "/patients/{patient_id}/assignments",
    response={201: AssignmentOut, **ERRORS},
    operation_id="assignment_create",
)
def assignment_create_api(
    request: HttpRequest, patient_id: Id, payload: AssignmentIn
) -> Status[AssignmentOut]:
    """Schedule a check-in (409 when the same one is already scheduled)."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.MANAGE_ASSIGNMENTS,
        action=AuditAction.CREATE,
    )
    assignment = assignment_create(
        actor=actor,
        patient=patient,
        instrument_id=payload.instrument_id,
        frequency=payload.frequency,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return Status(201, _assignment_out(assignment))


@router.post(
    "/patients/{patient_id}/assignments/defaults",
    response={201: DefaultsOut, **ERRORS},
    operation_id="assignment_defaults_apply",
)
def assignment_defaults_apply_api(
    request: HttpRequest, patient_id: Id, payload: DefaultsIn
) -> Status[DefaultsOut]:
    """Apply the course phase's default schedule (REFERENCE.md §0)."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.MANAGE_ASSIGNMENTS,
        action=AuditAction.UPDATE,
    )
    applied = assignment_defaults_apply(actor=actor, patient=patient, phase=payload.phase)
    return Status(
        201,
        DefaultsOut(
            phase=payload.phase,
            created=[_assignment_out(a) for a in applied.created],
            ended=[a.pk for a in applied.ended],
            kept=[a.pk for a in applied.kept],
        ),
    )


@router.post(
    "/patients/{patient_id}/assignments/{assignment_id}/end",
    response={200: AssignmentOut, **ERRORS},
    operation_id="assignment_end",
)
def assignment_end_api(request: HttpRequest, patient_id: Id, assignment_id: Id) -> AssignmentOut:
    """End a schedule from today (409 when it has already ended)."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.MANAGE_ASSIGNMENTS,
        action=AuditAction.UPDATE,
    )
    assignment = assignment_get(patient=patient, assignment_id=assignment_id)
    if assignment is None:
        raise NotFound()
    return _assignment_out(assignment_end(actor=actor, assignment=assignment))


# ---------------------------------------------------------------- staff: portal invitations


@router.get(
    "/patients/{patient_id}/portal",
    response={200: PortalStatusOut, **ERRORS},
    operation_id="portal_status_get",
)
def portal_status_api(request: HttpRequest, patient_id: Id) -> PortalStatusOut:
    """Invited, expired, withdrawn, or an active login."""
    patient = access_patient_monitoring(
        actor=_actor(request), patient_id=patient_id, need=MonitoringPerm.INVITE_PATIENT
    )
    status = portal_status(patient=patient)
    return PortalStatusOut(
        state=status.state,
        label=status.label,
        username=status.username,
        invitation=None
        if status.invitation is None
        else PortalInvitationOut.model_validate(status.invitation, from_attributes=True),
    )


@router.post(
    "/patients/{patient_id}/portal/invitation",
    response={201: PortalInvitationOut, **ERRORS},
    operation_id="portal_invite",
)
def portal_invite_api(request: HttpRequest, patient_id: Id) -> Status[PortalInvitationOut]:
    """Email the patient a single-use link to create their login (409 if they have one)."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.INVITE_PATIENT,
        action=AuditAction.CREATE,
    )
    template = request.build_absolute_uri("/portal/invitation/TOKEN/").replace("TOKEN", "{token}")
    invitation = portal_invite(actor=actor, patient=patient, accept_url_template=template)
    return Status(201, PortalInvitationOut.model_validate(invitation, from_attributes=True))


@router.post(
    "/patients/{patient_id}/portal/invitation/revoke",
    response={200: RevokedOut, **ERRORS},
    operation_id="portal_invitations_revoke",
)
def portal_invitations_revoke_api(request: HttpRequest, patient_id: Id) -> RevokedOut:
    """Withdraw the patient's pending invitation links."""
    actor = _actor(request)
    patient = access_patient_monitoring(
        actor=actor,
        patient_id=patient_id,
        need=MonitoringPerm.INVITE_PATIENT,
        action=AuditAction.UPDATE,
    )
    return RevokedOut(revoked=portal_invitations_revoke(actor=actor, patient=patient))


# ---------------------------------------------------------------- clinic admins: text packs


@router.get(
    "/text-packs", response={200: list[TextPackOut], **ERRORS}, operation_id="text_pack_list"
)
def text_pack_list_api(request: HttpRequest) -> list[TextPackOut]:
    """The clinic's installed questionnaire wording, active first."""
    clinic = access_text_packs(actor=_actor(request))
    return [_pack_out(pack) for pack in text_pack_list(clinic_id=clinic.pk)]


@router.post("/text-packs", response={201: TextPackOut, **ERRORS}, operation_id="text_pack_install")
def text_pack_install_api(request: HttpRequest, payload: TextPackIn) -> Status[TextPackOut]:
    """Check a FHIR R4 Questionnaire against the scale and install it (422 names the problem)."""
    actor = _actor(request)
    clinic = access_text_packs(actor=actor, action=AuditAction.CREATE)
    pack = text_pack_install(
        actor=actor,
        clinic=clinic,
        questionnaire=payload.questionnaire,
        instrument_id=payload.instrument_id,
        language=payload.language,
        source=payload.source,
        licence_note=payload.licence_note,
    )
    return Status(201, _pack_out(pack))
