"""Alerts from a session's exit check: findings still present at discharge reach a clinician.

REFERENCE.md section 6 ("Safety"): a mood elevation or perceptual change
still present at discharge leaves the acute post-dose window and enters the
section 5.2 switch rule. Ratings taken in the 4 hours after a dose never feed
the switch rules, and discharge always falls inside that window, so the exit
check is its own trigger (kind ``exit_check``) for the protocol's alert rules
(keel-default v4): ``switch.amber.exit_check`` (amber, psychiatrist of record
told, next session held) and ``suicide.exit_check.new_ideation`` (urgent, the
on-call rota at once). They go through the common path
(``alerts_record_findings``: dedupe, audit, notifications); the evidence is
the exit check (``exit_check:<id>``), so the same check never raises twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from keel.accounts.selectors import Actor
from keel.alerts.history import patient_history
from keel.alerts.models import Alert
from keel.alerts.services import alerts_record_findings
from keel.clinical.alerts import ExitCheckPoint, Trigger, evaluate_alerts
from keel.intake.protocols import protocol_for_clinic
from keel.patients.models import Patient

TRIGGER_KIND = "exit_check"


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
    """Run the protocol's alert rules on a stored exit check; return the new alerts.

    Call it in the transaction that stores the check: the alerts, their
    audit rows and notifications commit with it. ``session_number`` is kept
    with the alert's facts.
    """
    now = now or timezone.now()
    ref = f"{TRIGGER_KIND}:{check_id}"
    clinic = patient.clinic
    history = dataclasses.replace(
        patient_history(patient=patient, now=now, clock=False),
        exit_checks=(
            ExitCheckPoint(
                ref=ref,
                at=now,
                mood_elevation=elevation,
                perceptual_change=perceptual_change,
                new_suicidal_ideation=new_suicidal_ideation,
            ),
        ),
    )
    findings = [
        dataclasses.replace(finding, facts={**finding.facts, "session_number": session_number})
        for finding in evaluate_alerts(
            protocol_for_clinic(clinic.pk),
            history,
            Trigger(TRIGGER_KIND, ref),
            now=now,
            tz=ZoneInfo(clinic.time_zone),
        )
    ]
    return alerts_record_findings(
        patient=patient,
        findings=findings,
        trigger_kind=TRIGGER_KIND,
        trigger_ref=ref,
        actor=actor,
        now=now,
    )
