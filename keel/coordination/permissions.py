"""Gates for coordination: clinic staff, and the patient's own psychiatrist of record."""

from __future__ import annotations

from keel.accounts.catalogue import CoordinationPerm, PatientPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound
from keel.patients.models import Patient
from keel.patients.permissions import access_patient

OBJECT_TYPE = "coordination"


def access_patient_coordination(
    *,
    actor: Actor,
    patient_id: int,
    need: CoordinationPerm = CoordinationPerm.VIEW_COORDINATION,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` their coordination record; else audit and 404."""
    # The coordination permission itself (e.g. only the psychiatrist acknowledges).
    if not actor.has(need):
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=patient_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # Clinical scope: staff of the clinic, or the psychiatrist the record names.
    patient = access_patient(
        actor=actor, patient_id=patient_id, need=PatientPerm.VIEW_CLINICAL, action=action
    )
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient
