"""Gate for the audit trail: clinic admins, their own clinic only; every view is audited."""

from __future__ import annotations

from keel.accounts.catalogue import AuditPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied
from keel.common.exceptions import PermissionDenied

OBJECT_TYPE = "audit_trail"


def access_audit_trail(*, actor: Actor) -> int:
    """Return the clinic id whose audit trail the actor may view, or record the denial."""
    # Viewing the trail needs the audit permission (clinic admins).
    # It is always scoped to the actor's active clinic.
    if actor.has(AuditPerm.VIEW_AUDIT) and actor.clinic_id is not None:
        return actor.clinic_id
    audit_denied(actor=actor, action=AuditAction.READ, object_type=OBJECT_TYPE)
    raise PermissionDenied("Only clinic admins can view the audit trail.")
