"""Gates for the worklist and the life chart: they fail closed and audit every outcome.

The worklist is a clinic page: only staff of the active clinic who hold both
``AlertPerm.VIEW_ALERTS`` and ``PatientPerm.VIEW_CLINICAL`` (physicians and
nurses) may use it; everyone else gets 403, and every patient row shown is
recorded as one read. The life chart is one patient's record: clinic
clinicians and the patient's psychiatrist of record see it; for anyone else
it does not exist (404).
"""

from __future__ import annotations

from keel.accounts.catalogue import AlertPerm, MonitoringPerm, PatientPerm
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record, audit_record_many
from keel.clinical.protocol import resolve_params
from keel.common.exceptions import NotFound, PermissionDenied
from keel.intake.protocols import protocol_for_clinic
from keel.outcomes.selectors import (
    LifeChartRows,
    WorklistFilters,
    WorklistPage,
    life_chart_rows,
    worklist_page,
)
from keel.patients.models import Patient
from keel.patients.permissions import access_patient

WORKLIST_OBJECT = "worklist"
LIFE_CHART_OBJECT = "life_chart"
WORKLIST_NEEDS = (AlertPerm.VIEW_ALERTS, PatientPerm.VIEW_CLINICAL)


def may_use_worklist(actor: Actor) -> bool:
    """True when the worklist is open to ``actor`` (for navigation links)."""
    # Clinic staff only: outside accounts (psychiatrists, patients) have no clinic list.
    if actor.account_type != AccountType.STAFF or actor.clinic is None:
        return False
    # Both permissions: alerts and clinical records (physicians and nurses).
    return all(actor.has(need) for need in WORKLIST_NEEDS)


def access_worklist(
    *, actor: Actor, filters: WorklistFilters, page_number: int = 1
) -> WorklistPage:
    """Return one worklist page of the actor's clinic, auditing one read per patient shown."""
    if not may_use_worklist(actor) or actor.clinic is None:
        audit_denied(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type=WORKLIST_OBJECT,
            detail={"need": [need.value for need in WORKLIST_NEEDS]},
        )
        raise PermissionDenied("The worklist is for the clinic's physicians and nurses.")
    clinic = actor.clinic
    params = resolve_params(protocol_for_clinic(clinic.pk))
    page = worklist_page(
        clinic_id=clinic.pk,
        tz=clinic.tzinfo,
        filters=filters,
        page_number=page_number,
        params=params,
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.READ,
        object_type="patient",
        objects=[(row.patient.pk, row.patient.pk) for row in page.rows],
        detail={"list": WORKLIST_OBJECT},
    )
    return page


def access_life_chart(*, actor: Actor, patient_id: int) -> tuple[Patient, LifeChartRows]:
    """Return the patient and their life chart's rows, or record the denial and 404."""
    # Ratings and diaries need the monitoring permission.
    if not actor.has(MonitoringPerm.VIEW_RATINGS):
        audit_denied(
            actor=actor,
            action=AuditAction.READ,
            object_type=LIFE_CHART_OBJECT,
            object_id=patient_id,
            detail={"need": MonitoringPerm.VIEW_RATINGS.value},
        )
        raise NotFound()
    # Clinical scope: the clinic's clinicians or the psychiatrist of record
    # (access_patient audits its own denial and the patient read).
    patient = access_patient(actor=actor, patient_id=patient_id, need=PatientPerm.VIEW_CLINICAL)
    rows = life_chart_rows(patient=patient)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=LIFE_CHART_OBJECT,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail={
            "ratings": len(rows.ratings),
            "diary_days": len(rows.diary),
            "sessions": len(rows.sessions),
            "alerts": len(rows.alerts),
        },
    )
    return patient, rows
