"""Template context every page needs: the actor, their clinics, demo mode."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from keel.accounts.catalogue import AuditPerm, ConsentPerm, PatientPerm
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
    return {
        "actor": actor,
        "memberships": memberships,
        "keel_demo": bool(getattr(settings, "KEEL_DEMO", False)),
        "nav_patients": actor is not None and actor.has(PatientPerm.VIEW_DEMOGRAPHICS),
        "nav_audit": actor is not None and actor.has(AuditPerm.VIEW_AUDIT),
        "nav_consent_texts": actor is not None and actor.has(ConsentPerm.MANAGE_TEMPLATES),
        "nav_my_patients": actor is not None
        and actor.account_type == AccountType.PSYCHIATRIST_OF_RECORD,
    }
