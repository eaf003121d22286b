"""Gates for treatment: clinical staff of the patient's clinic."""

from __future__ import annotations

from keel.accounts.catalogue import PatientPerm, TreatmentPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound
from keel.patients.models import Patient
from keel.patients.permissions import access_patient
from keel.treatment.models import TreatmentSession
from keel.treatment.selectors import session_get

OBJECT_TYPE = "treatment_session"


def access_session(
    *,
    actor: Actor,
    session_id: int,
    need: TreatmentPerm = TreatmentPerm.VIEW_SESSIONS,
    action: AuditAction = AuditAction.READ,
) -> TreatmentSession:
    """Return the session if the actor may ``need`` it; else audit the denial and 404."""
    # The treatment permission itself (e.g. only clinicians record sessions).
    session = session_get(session_id=session_id) if actor.has(need) else None
    if session is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=session_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # The patient must be in the actor's clinical scope (access_patient audits its own denial).
    access_patient(
        actor=actor, patient_id=session.patient_id, need=PatientPerm.VIEW_CLINICAL, action=action
    )
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            object_id=session.pk,
            patient_id=session.patient_id,
        )
    return session


def access_patient_treatment(
    *,
    actor: Actor,
    patient_id: int,
    need: TreatmentPerm = TreatmentPerm.VIEW_SESSIONS,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` their treatment record; else audit and 404."""
    # The treatment permission itself.
    if not actor.has(need):
        audit_denied(
            actor=actor,
            action=action,
            object_type="treatment_course",
            object_id=patient_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # Clinical scope (access_patient audits its own denial and the patient read).
    return access_patient(
        actor=actor, patient_id=patient_id, need=PatientPerm.VIEW_CLINICAL, action=action
    )
