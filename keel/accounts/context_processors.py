"""Template context every page needs: the actor, their clinics, demo mode."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from keel.accounts.catalogue import (
    AlertPerm,
    AuditPerm,
    ConsentPerm,
    InventoryPerm,
    MonitoringPerm,
    PatientPerm,
    Perm,
)
from keel.accounts.models import User
from keel.accounts.requests import request_actor
from keel.accounts.roles import AccountType
from keel.accounts.selectors import membership_list


def keel(request: HttpRequest) -> dict[str, object]:
    """Expose the actor, the clinic switcher's options and navigation rights."""
    actor = request_actor(request)
    memberships = (
        list(membership_list(user=request.user))
        if isinstance(request.user, User) and request.user.is_authenticated
        else []
    )

    def has(*perms: Perm) -> bool:
        return actor is not None and all(actor.has(perm) for perm in perms)

    # One flag per place a person can go: the header and the home page both use them.
    return {
        "actor": actor,
        "memberships": memberships,
        "keel_demo": bool(getattr(settings, "KEEL_DEMO", False)),
        "nav_patients": has(PatientPerm.VIEW_DEMOGRAPHICS),
        "nav_worklist": has(AlertPerm.VIEW_ALERTS, PatientPerm.CREATE),
        "nav_alerts": has(AlertPerm.VIEW_ALERTS),
        "nav_on_call": has(AlertPerm.MANAGE_ON_CALL),
        "nav_alert_report": has(AlertPerm.VIEW_REPORTS) and not has(AlertPerm.VIEW_ALERTS),
        "nav_my_patients": actor is not None
        and actor.account_type == AccountType.PSYCHIATRIST_OF_RECORD,
        "nav_consent_texts": has(ConsentPerm.MANAGE_TEMPLATES),
        "nav_ledger": has(InventoryPerm.VIEW_LEDGER),
        "nav_text_packs": has(MonitoringPerm.MANAGE_TEXT_PACKS),
        "nav_audit": has(AuditPerm.VIEW_AUDIT),
    }
