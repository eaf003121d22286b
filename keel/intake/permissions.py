"""Gates for intake: clinical staff (and the patient's own psychiatrist, read-only)."""

from __future__ import annotations

from keel.accounts.catalogue import IntakePerm, PatientPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound
from keel.patients.models import Patient
from keel.patients.permissions import access_patient

OBJECT_TYPE = "evaluation"


def access_patient_intake(
    *,
    actor: Actor,
    patient_id: int,
    need: IntakePerm = IntakePerm.VIEW_EVALUATION,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` their intake; else audit the denial and 404.

    The patient must be in the actor's clinical scope (VIEW_CLINICAL) and the
    actor must hold ``need``. A successful READ of the intake is audited here.
    """
    # The intake permission itself (e.g. only physicians decide).
    if not actor.has(need):
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=patient_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # The patient must be inside the actor's clinical scope; access_patient audits its own denial.
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
