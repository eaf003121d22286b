"""Template context every page needs: the actor, their clinics, demo mode."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from keel.accounts.catalogue import (
    AlertPerm,
    AuditPerm,
    ClinicPerm,
    ConsentPerm,
    InventoryPerm,
    MonitoringPerm,
    PatientPerm,
    Perm,
)
from keel.accounts.models import User
from keel.accounts.requests import request_actor
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor, membership_list
from keel.alerts.selectors import on_call_gaps


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
        # The clinic's protocol (read-only): clinicians and clinic admins.
        "nav_protocol": actor is not None
        and actor.role is not None
        and actor.role != Role.FRONT_DESK,
        "nav_audit": has(AuditPerm.VIEW_AUDIT),
        "nav_staff": has(ClinicPerm.MANAGE_STAFF),
        # The rota keeper is warned on every page while nobody is on call in the next 24 h.
        "rota_gaps": _rota_gaps(actor) if has(AlertPerm.MANAGE_ON_CALL) else [],
        "time_zone_label": time_zone_label(),
    }


def time_zone_label() -> str:
    """The zone the page's times are in, named: "America/Chicago (CST)" or "UTC"."""
    name = timezone.get_current_timezone_name()
    abbreviation = timezone.localtime().strftime("%Z")
    return name if abbreviation in {"", name} else f"{name} ({abbreviation})"


def _rota_gaps(actor: Actor | None) -> list[dt.date]:
    if actor is None or actor.clinic is None:
        return []
    return on_call_gaps(clinic=actor.clinic, now=timezone.now())
