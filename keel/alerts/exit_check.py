"""Alerts from a session's exit check: findings still present at discharge reach a clinician.

REFERENCE.md section 6 ("Safety"): a mood elevation or perceptual change
still present at discharge leaves the acute post-dose window and enters the
section 5.2 switch rule. Ratings taken in the 4 hours after a dose never
feed the switch rules, and discharge always falls inside that window, so the
exit check raises its own alerts through the common path
(``alerts_record_findings``: dedupe, audit, notifications):

- ``switch.amber.exit_check``: mood elevation or perceptual change still
  present - an amber mood-elevation alert (psychiatrist of record told,
  review within ``switch_amber_review_hours``, amber hold on the next session
  while ``switch_amber_blocks_next_session``), like the other amber rules;
- ``suicide.exit_check.new_ideation``: new suicidal ideation - an urgent
  suicidality alert (on-call rota at once, ``urgent_alert_ack_minutes``).

The evidence is the exit check (``exit_check:<id>``): the same check never
raises twice. These two rules are not in the protocol file yet (their
titles and actions are Keel's own words below); see docs/clinical/alerts.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from django.utils import timezone

from keel.accounts.selectors import Actor
from keel.alerts.models import Alert, AlertCategory, AlertLevel, AlertPriority, SessionHold
from keel.alerts.services import alerts_record_findings
from keel.clinical.alerts import AlertFinding
from keel.clinical.protocol import Protocol, ProtocolError, resolve_params
from keel.intake.protocols import protocol_for_clinic
from keel.patients.models import Patient

TRIGGER_KIND = "exit_check"
ELEVATION_RULE = "switch.amber.exit_check"
SUICIDAL_IDEATION_RULE = "suicide.exit_check.new_ideation"
AMBER_REVIEW_PARAM = "switch_amber_review_hours"
AMBER_HOLD_PARAM = "switch_amber_blocks_next_session"
URGENT_ACK_PARAM = "urgent_alert_ack_minutes"


def _int(values: Mapping[str, object], name: str) -> int:
    value = values.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"parameter {name}: the exit-check alerts need an integer")
    return value


def _bool(values: Mapping[str, object], name: str) -> bool:
    value = values.get(name)
    if not isinstance(value, bool):
        raise ProtocolError(f"parameter {name}: the exit-check alerts need true or false")
    return value


def exit_check_findings(
    *,
    protocol: Protocol,
    check_id: int,
    session_number: int,
    elevation: bool,
    perceptual_change: bool,
    new_suicidal_ideation: bool,
    now: dt.datetime,
) -> list[AlertFinding]:
    """The alert findings of one exit check (none when nothing is still present)."""
    values = resolve_params(protocol)
    ref = f"{TRIGGER_KIND}:{check_id}"
    base: dict[str, object] = {
        "exit_check": check_id,
        "session_number": session_number,
        "trigger": {"kind": TRIGGER_KIND, "ref": ref},
    }
    findings: list[AlertFinding] = []
    if elevation or perceptual_change:
        hours = _int(values, AMBER_REVIEW_PARAM)
        holds = _bool(values, AMBER_HOLD_PARAM)
        findings.append(
            AlertFinding(
                rule_id=ELEVATION_RULE,
                protocol_id=protocol.id,
                protocol_version=str(protocol.version),
                category=AlertCategory.MOOD_ELEVATION.value,
                priority=AlertPriority.ROUTINE.value,
                level=AlertLevel.AMBER.value,
                hold=SessionHold.AMBER.value if holds else SessionHold.NONE.value,
                title="Mood elevation or perceptual change still present at discharge - amber",
                action=(
                    "The exit check found a mood elevation or perceptual change still present "
                    "at discharge: it no longer counts as an acute effect of the dose. "
                    "Prescriber review within the amber review time; the next session is held "
                    "until a prescriber clears this alert. (REFERENCE.md section 6 Safety; "
                    "section 5.2 amber.)"
                ),
                notify_psychiatrist=True,
                show_crisis=False,
                ack_due_at=now + dt.timedelta(hours=hours),
                evidence_key=ref,
                facts=MappingProxyType(
                    {
                        **base,
                        "exit_mood_elevation": elevation,
                        "exit_perceptual_change": perceptual_change,
                        "params_used": {AMBER_REVIEW_PARAM: hours, AMBER_HOLD_PARAM: holds},
                    }
                ),
            )
        )
    if new_suicidal_ideation:
        minutes = _int(values, URGENT_ACK_PARAM)
        findings.append(
            AlertFinding(
                rule_id=SUICIDAL_IDEATION_RULE,
                protocol_id=protocol.id,
                protocol_version=str(protocol.version),
                category=AlertCategory.SUICIDALITY.value,
                priority=AlertPriority.URGENT.value,
                level=AlertLevel.NONE.value,
                hold=SessionHold.NONE.value,
                title="New suicidal ideation at the exit check",
                action=(
                    "The exit check found new suicidal ideation. The patient stays on site and "
                    "is not left alone: a licensed clinician assesses now (C-SSRS since last "
                    "visit), and a physician decides about discharge with the reason. "
                    "(REFERENCE.md section 6 Safety; section 7.)"
                ),
                notify_psychiatrist=True,
                show_crisis=False,
                ack_due_at=now + dt.timedelta(minutes=minutes),
                evidence_key=ref,
                facts=MappingProxyType(
                    {
                        **base,
                        "exit_new_suicidal_ideation": True,
                        "params_used": {URGENT_ACK_PARAM: minutes},
                    }
                ),
            )
        )
    return findings


def exit_check_alerts_raise(
    *,
    actor: Actor,
    patient: Patient,
    check_id: int,
    session_number: int,
    elevation: bool,
    perceptual_change: bool,
    new_suicidal_ideation: bool,
    now: dt.datetime | None = None,
) -> list[Alert]:
    """Raise the alerts of a stored exit check; return the new ones.

    Call it in the transaction that stores the check: the alerts, their
    audit rows and notifications commit with it.
    """
    now = now or timezone.now()
    findings = exit_check_findings(
        protocol=protocol_for_clinic(patient.clinic_id),
        check_id=check_id,
        session_number=session_number,
        elevation=elevation,
        perceptual_change=perceptual_change,
        new_suicidal_ideation=new_suicidal_ideation,
        now=now,
    )
    return alerts_record_findings(
        patient=patient,
        findings=findings,
        trigger_kind=TRIGGER_KIND,
        trigger_ref=f"{TRIGGER_KIND}:{check_id}",
        actor=actor,
        now=now,
    )
