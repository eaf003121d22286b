"""Gates for alerts: clinic staff see their clinic's alerts; a psychiatrist of record sees
the alerts of their own patients only. Gates fail closed and audit every outcome."""

from __future__ import annotations

from collections.abc import Iterable

from keel.accounts.catalogue import AlertPerm, PatientPerm
from keel.accounts.models import Clinic
from keel.accounts.selectors import Actor
from keel.alerts.models import Alert, OnCallEntry
from keel.alerts.selectors import UNRESOLVED, alert_scope, alert_search
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record, audit_record_many
from keel.common.exceptions import NotFound, PermissionDenied
from keel.patients.permissions import access_patient

OBJECT_TYPE = "alert"
LIST_LIMIT = 200


def _can_see_alerts(actor: Actor) -> bool:
    # Alerts carry clinical data: both the alert and the clinical-record permission.
    return actor.has(AlertPerm.VIEW_ALERTS) and actor.has(PatientPerm.VIEW_CLINICAL)


def access_alert(*, actor: Actor, alert_id: int, action: AuditAction = AuditAction.READ) -> Alert:
    """Return the alert if it is in the actor's scope; else audit the denial and 404.

    What the actor may *do* to it (acknowledge, resolve, ...) is checked by
    the service; a successful READ is recorded here.
    """
    alert = None
    if _can_see_alerts(actor):
        # The alert must be in scope: the actor's clinic, or the psychiatrist's own patients.
        alert = (
            alert_scope(actor=actor)
            .select_related("patient", "clinic", "patient__psychiatrist_of_record")
            .filter(pk=alert_id)
            .first()
        )
    if alert is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=alert_id,
            detail={"need": AlertPerm.VIEW_ALERTS.value},
        )
        raise NotFound()
    if action == AuditAction.READ:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            object_id=alert.pk,
            patient_id=alert.patient_id,
            clinic_id=alert.clinic_id,
        )
    return alert


def access_alert_list(
    *,
    actor: Actor,
    statuses: Iterable[str] = UNRESOLVED,
    category: str = "",
    priority: str = "",
    patient_id: int | None = None,
    limit: int = LIST_LIMIT,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """One page of the actor's alerts (most severe first) and the total; one read per row."""
    # The alert list is for roles that see alerts at all; others get 403.
    if not _can_see_alerts(actor):
        audit_denied(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type=OBJECT_TYPE,
            detail={"need": AlertPerm.VIEW_ALERTS.value},
        )
        raise PermissionDenied("You do not have access to alerts.")
    alerts = alert_search(
        actor=actor,
        statuses=statuses,
        category=category,
        priority=priority,
        patient_id=patient_id,
    )
    limit = max(1, min(limit, LIST_LIMIT))
    offset = max(0, offset)
    total = alerts.count()
    items = list(alerts[offset : offset + limit])
    audit_record_many(
        actor=actor,
        action=AuditAction.READ,
        object_type=OBJECT_TYPE,
        objects=[(a.pk, a.patient_id) for a in items],
        detail={"list": True},
    )
    return items, total


def access_patient_alerts(*, actor: Actor, patient_id: int) -> list[Alert]:
    """One patient's open and acknowledged alerts, for the patient page.

    The patient must be in the actor's clinical scope (else 404, audited by the patient
    gate); the actor must see alerts at all (else 403); every alert shown is audited as read.
    """
    patient = access_patient(actor=actor, patient_id=patient_id, need=PatientPerm.VIEW_CLINICAL)
    alerts, _total = access_alert_list(actor=actor, patient_id=patient.pk)
    return alerts


def access_on_call(*, actor: Actor, action: AuditAction = AuditAction.READ) -> Clinic:
    """Return the active clinic whose rota the actor keeps, or record the denial and 403."""
    # The rota is the clinic admin's: the permission and an active clinic.
    if actor.has(AlertPerm.MANAGE_ON_CALL) and actor.clinic is not None:
        return actor.clinic
    audit_denied(
        actor=actor,
        action=action,
        object_type="on_call_rota",
        detail={"need": AlertPerm.MANAGE_ON_CALL.value},
    )
    raise PermissionDenied("You may not keep the on-call rota.")


def access_on_call_entry(
    *, actor: Actor, entry_id: int, action: AuditAction = AuditAction.UPDATE
) -> OnCallEntry:
    """One entry of the actor's clinic rota; 403 without the permission, 404 outside the clinic."""
    clinic = access_on_call(actor=actor, action=action)
    entry = (
        OnCallEntry.objects.select_related("clinic", "user")
        .filter(pk=entry_id, clinic=clinic)
        .first()
    )
    if entry is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type="on_call_entry",
            object_id=entry_id,
            detail={"need": AlertPerm.MANAGE_ON_CALL.value},
        )
        raise NotFound()
    return entry


def access_alert_report(*, actor: Actor) -> Clinic:
    """Return the clinic whose response-time report (figures only) the actor may see; else 403."""
    # Figures only: the report permission and an active clinic.
    if actor.has(AlertPerm.VIEW_REPORTS) and actor.clinic is not None:
        audit_record(actor=actor, action=AuditAction.READ, object_type="alert_report")
        return actor.clinic
    audit_denied(
        actor=actor,
        action=AuditAction.READ,
        object_type="alert_report",
        detail={"need": AlertPerm.VIEW_REPORTS.value},
    )
    raise PermissionDenied("You may not see alert reports.")
