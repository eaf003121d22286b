"""Gates for monitoring: clinic staff by permission, and a patient for their own record only.

Every gate fails closed and audits: a patient outside the actor's scope and a
missing permission on a patient record both answer 404 (recorded as denied);
a part of Keel the role may not use at all (the portal for staff, text packs
for clinical staff) answers 403.
"""

from __future__ import annotations

from keel.accounts.catalogue import MonitoringPerm, PatientPerm
from keel.accounts.models import Clinic
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound, PermissionDenied
from keel.monitoring.selectors import patient_for_user
from keel.patients.models import Patient
from keel.patients.permissions import access_patient

OBJECT_TYPE = "monitoring"
PORTAL_OBJECT_TYPE = "portal"
TEXT_PACK_OBJECT_TYPE = "text_pack"

#: The patient-record permission each monitoring permission needs alongside it:
#: inviting is front-desk work on contact details; the rest is clinical.
_PATIENT_NEED: dict[MonitoringPerm, PatientPerm] = {
    MonitoringPerm.VIEW_RATINGS: PatientPerm.VIEW_CLINICAL,
    MonitoringPerm.RECORD_RATINGS: PatientPerm.VIEW_CLINICAL,
    MonitoringPerm.MANAGE_ASSIGNMENTS: PatientPerm.VIEW_CLINICAL,
    MonitoringPerm.INVITE_PATIENT: PatientPerm.VIEW_DEMOGRAPHICS,
}


def access_patient_monitoring(
    *,
    actor: Actor,
    patient_id: int,
    need: MonitoringPerm = MonitoringPerm.VIEW_RATINGS,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` their check-ins; else audit and 404."""
    # The monitoring permission itself (e.g. only clinicians record ratings).
    if not actor.has(need) or need not in _PATIENT_NEED:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=patient_id,
            detail={"need": need.value},
        )
        raise NotFound()
    # The patient must be in the actor's scope (access_patient audits its own denial and read).
    patient = access_patient(
        actor=actor, patient_id=patient_id, need=_PATIENT_NEED[need], action=action
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


def access_own_patient(*, actor: Actor, action: AuditAction = AuditAction.READ) -> Patient:
    """The signed-in patient's own record; staff and psychiatrists get 403, unlinked logins 404.

    A patient reaches only the record linked to their login; nothing in the
    request can name another patient.
    """
    if actor.account_type != AccountType.PATIENT:
        audit_denied(
            actor=actor,
            action=action,
            object_type=PORTAL_OBJECT_TYPE,
            detail={"need": "patient account"},
        )
        raise PermissionDenied("The patient portal is for patients.")
    patient = patient_for_user(user=actor.user)
    if patient is None:
        audit_denied(actor=actor, action=action, object_type=PORTAL_OBJECT_TYPE)
        raise NotFound()
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=PORTAL_OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
        )
    return patient


def access_text_packs(*, actor: Actor, action: AuditAction = AuditAction.READ) -> Clinic:
    """The clinic whose text packs the actor manages; 403 for everyone else."""
    if actor.has(MonitoringPerm.MANAGE_TEXT_PACKS) and actor.clinic is not None:
        if action == AuditAction.READ:
            audit_record(
                actor=actor,
                action=AuditAction.READ,
                object_type=TEXT_PACK_OBJECT_TYPE,
                detail={"list": True},
            )
        return actor.clinic
    audit_denied(
        actor=actor,
        action=action,
        object_type=TEXT_PACK_OBJECT_TYPE,
        detail={"need": MonitoringPerm.MANAGE_TEXT_PACKS.value},
    )
    raise PermissionDenied("Only clinic admins install questionnaire wording.")
