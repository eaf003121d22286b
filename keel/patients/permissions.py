"""Gates for patient records: they fail closed and audit every outcome.

A record outside the actor's scope, a missing record and a missing permission
all raise the same ``NotFound`` (the page answers 404), so a response never
shows that a record exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from keel.accounts.catalogue import PatientPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record, audit_record_many
from keel.common.exceptions import NotFound, PermissionDenied
from keel.patients.models import Patient
from keel.patients.selectors import patient_scope, patient_search

OBJECT_TYPE = "patient"
PAGE_SIZE_MAX = 100


def access_patient(
    *,
    actor: Actor,
    patient_id: int,
    need: PatientPerm = PatientPerm.VIEW_DEMOGRAPHICS,
    action: AuditAction = AuditAction.READ,
) -> Patient:
    """Return the patient if the actor may ``need`` it; else record the denial and 404.

    ``action`` is what the caller is about to do; a successful READ is
    recorded here, and writes are recorded by the service that makes them.
    """
    # The actor must hold the permission at all.
    allowed = actor.has(need)
    # The record must be inside the actor's scope (clinic, own patients, self).
    patient = (
        patient_scope(actor=actor).select_related("clinic").filter(pk=patient_id).first()
        if allowed
        else None
    )
    if patient is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=patient_id,
            detail={"need": need.value},
        )
        raise NotFound()
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


@dataclass(frozen=True)
class PatientPage:
    """One page of a patient list."""

    items: list[Patient]
    count: int
    offset: int
    limit: int


def access_patient_list(
    *, actor: Actor, query: str = "", offset: int = 0, limit: int = 50
) -> PatientPage:
    """Return one page of the actor's patients, auditing one read per patient shown."""
    # Listing patients needs the demographics permission.
    if not actor.has(PatientPerm.VIEW_DEMOGRAPHICS):
        audit_denied(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type=OBJECT_TYPE,
            detail={"need": PatientPerm.VIEW_DEMOGRAPHICS.value},
        )
        raise PermissionDenied("You do not have access to the patient list.")
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    offset = max(0, offset)
    patients = patient_search(actor=actor, query=query)
    count = patients.count()
    items = list(patients[offset : offset + limit])
    audit_record_many(
        actor=actor,
        action=AuditAction.READ,
        object_type=OBJECT_TYPE,
        objects=[(p.pk, p.pk) for p in items],
        detail={"list": True},
    )
    return PatientPage(items=items, count=count, offset=offset, limit=limit)


def access_patient_create(*, actor: Actor) -> None:
    """Allow registering a patient in the actor's clinic, or record the denial and refuse."""
    # Creating needs the permission and an active clinic to create it in.
    if actor.has(PatientPerm.CREATE) and actor.clinic_id is not None:
        return
    audit_denied(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        detail={"need": PatientPerm.CREATE.value},
    )
    raise PermissionDenied("You may not register patients.")
