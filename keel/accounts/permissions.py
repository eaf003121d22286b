"""Gates for the clinic's staff list: the clinic admin (ClinicPerm.MANAGE_STAFF) only.

Gates fail closed and audit every refusal.
"""

from __future__ import annotations

from keel.accounts.catalogue import ClinicPerm
from keel.accounts.models import Clinic, Membership
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.common.exceptions import NotFound, PermissionDenied

OBJECT_TYPE = "membership"


def access_staff(*, actor: Actor, action: AuditAction = AuditAction.READ) -> Clinic:
    """The active clinic whose staff the actor keeps; else the denial is recorded and 403."""
    if actor.has(ClinicPerm.MANAGE_STAFF) and actor.clinic is not None:
        if action == AuditAction.READ:
            audit_record(actor=actor, action=AuditAction.READ, object_type="staff_list")
        return actor.clinic
    audit_denied(
        actor=actor,
        action=action,
        object_type="staff_list",
        detail={"need": ClinicPerm.MANAGE_STAFF.value},
    )
    raise PermissionDenied("You may not manage the clinic's staff.")


def access_membership(
    *, actor: Actor, membership_id: int, action: AuditAction = AuditAction.UPDATE
) -> Membership:
    """One membership of the actor's clinic; 403 without the permission, 404 outside it."""
    clinic = access_staff(actor=actor, action=action)
    membership = (
        Membership.objects.select_related("user", "clinic")
        .filter(pk=membership_id, clinic=clinic)
        .first()
    )
    if membership is None:
        audit_denied(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=membership_id,
            detail={"need": ClinicPerm.MANAGE_STAFF.value},
        )
        raise NotFound()
    return membership
