"""Builders for alert tests: synthetic findings, alerts raised through the services, a rota."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from conftest import World
from keel.accounts.models import User
from keel.alerts.models import Alert
from keel.alerts.services import (
    RiskAssessment,
    alert_record_contact,
    alerts_record_findings,
    on_call_add,
)
from keel.clinical.alerts import AlertFinding
from keel.patients.models import Patient

URGENT_MINUTES = 60  # keel-default's urgent_alert_ack_minutes


def finding(**changes: Any) -> AlertFinding:
    """A fired finding as evaluate_alerts returns it (urgent suicidality unless changed)."""
    now = changes.pop("now", None) or timezone.now()
    values: dict[str, Any] = {
        "rule_id": "suicide.phq9_item9.tier2",
        "protocol_id": "keel-default",
        "protocol_version": "3",
        "category": "suicidality",
        "priority": "urgent",
        "level": "",
        "hold": "",
        "title": "PHQ-9 item 9 at tier 2",
        "action": "Attempt clinician contact the same calendar day.",
        "notify_psychiatrist": False,
        "show_crisis": True,
        "ack_due_at": now + dt.timedelta(minutes=URGENT_MINUTES),
        "evidence_key": "assessment:1",
        "facts": MappingProxyType({"trigger_phq9_item9": 2}),
    }
    values.update(changes)
    return AlertFinding(**values)


def amber(**changes: Any) -> AlertFinding:
    """An amber mood-elevation finding that holds the next session."""
    base: dict[str, Any] = {
        "rule_id": "mood.asrm.amber",
        "category": "mood_elevation",
        "priority": "routine",
        "level": "amber",
        "hold": "amber",
        "title": "ASRM at the amber cut-off",
        "action": "Prescriber review within 24 h; the next session is held.",
        "notify_psychiatrist": True,
        "show_crisis": False,
        "evidence_key": "assessment:2",
        "facts": MappingProxyType({"trigger_asrm_total": 6}),
    }
    base.update(changes)
    return finding(**base)


def red(**changes: Any) -> AlertFinding:
    """A red mood-elevation finding (urgent, holds pending contact and a psychiatrist)."""
    base: dict[str, Any] = {
        "rule_id": "mood.ymrs.red",
        "category": "mood_elevation",
        "priority": "urgent",
        "level": "red",
        "hold": "red",
        "title": "Pre-dose YMRS in the red range",
        "action": "Same-day contact; hold the next session pending psychiatrist review.",
        "notify_psychiatrist": True,
        "show_crisis": False,
        "evidence_key": "assessment:3",
        "facts": MappingProxyType({"trigger_ymrs_total": 17}),
    }
    base.update(changes)
    return finding(**base)


def raise_alert(
    patient: Patient,
    found: AlertFinding | None = None,
    *,
    now: dt.datetime | None = None,
    trigger_ref: str = "assessment:1",
) -> Alert:
    """Raise one alert for ``patient`` through the services (the finding must be new)."""
    alerts = alerts_record_findings(
        patient=patient,
        findings=[found or finding(now=now)],
        trigger_kind="rating",
        trigger_ref=trigger_ref,
        actor=None,
        now=now,
    )
    assert len(alerts) == 1, "the finding was not new"
    return alerts[0]


#: A clinician's risk judgement with the safety-plan step: resolves an urgent suicidality alert.
RISK = RiskAssessment(
    basis="judgement", level="low", safety_plan_step="Safety plan reviewed by phone."
)


def reached(world: World, alert: Alert, who: str = "nurse_x") -> Alert:
    """Record a phone contact that reached the patient (what resolving tier 2+ needs)."""
    return alert_record_contact(actor=world.actor(who), alert=alert, method="phone")


def staff_mail() -> list[EmailMessage]:
    """The emails sent so far, without the psychiatrist of record's."""
    return [m for m in mail.outbox if "for one of your patients" not in m.subject]


def rota(world: World, *names: str) -> list[User]:
    """Put the named staff of clinic X on its rota, in this order (standing entries)."""
    admin = world.actor("clinic_admin_x")
    users = []
    for name in names:
        user = world.users[name]
        on_call_add(actor=admin, user_id=user.pk)
        users.append(user)
    return users
