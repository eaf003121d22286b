"""Shared builders for session tests: the shipped protocol, its parameters, clean sessions."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from keel.clinical.protocol import Finding, RuleKind, evaluate
from keel.clinical.protocol.tests.helpers import default_protocol
from keel.clinical.sessions import SessionParams, session_params

DOSE_START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
"""A fixed dose start; tests never read the clock."""

PRECHECK_GO: Mapping[str, object] = MappingProxyType(
    {
        "route": "iv_racemic_ketamine",
        "predose_systolic_bp": 124,
        "predose_diastolic_bp": 78,
        "predose_heart_rate": 72,
        "predose_spo2": 98,
        "predose_bp_rechecked": False,
        "recheck_systolic_bp": None,
        "recheck_diastolic_bp": None,
        "weight_kg": 72.4,
        "ymrs_total_predose": 3,
        "asrm_total_recent": 1,
        "open_mood_alert": "none",
        "suicide_alert_urgent_open": False,
        "suicide_same_day_assessment": False,
        "cssrs_since_last_visit_level": "none",
        "madrs_item10_session": 1,
        "escort_confirmed": True,
        "fasting_confirmed": True,
        "pregnancy_status": "not_applicable",
        "med_change_benzodiazepine": False,
        "med_change_lamotrigine_dose": False,
        "med_change_stimulant": False,
        "med_change_maoi": False,
        "adverse_event_since_last": False,
        "acute_intoxication": False,
    }
)
"""A complete pre-session checklist with nothing to report (Alex, IV): go."""

MONITORING_CALM: Mapping[str, object] = MappingProxyType(
    {
        "current_systolic_bp": 138,
        "current_diastolic_bp": 86,
        "current_heart_rate": 84,
        "current_spo2": 97,
        "current_respiratory_rate": 14,
        "current_moaas": 5,
        "apnoea": False,
        "target_organ_symptoms": False,
        "spo2_sustained_seconds": 0,
    }
)
"""A monitoring entry that fires no stop rule."""

DISCHARGE_READY: Mapping[str, object] = MappingProxyType(
    {
        "route": "iv_racemic_ketamine",
        "predose_systolic_bp": 124,
        "predose_diastolic_bp": 78,
        "predose_heart_rate": 72,
        "predose_spo2": 98,
        "minutes_since_dose_start": 100,
        "minutes_since_infusion_end": 60,
        "latest_moaas": 5,
        "latest_spo2": 98,
        "latest_cadss": 1,
        "predose_cadss": 0,
        "latest_systolic_bp": 130,
        "latest_diastolic_bp": 80,
        "latest_heart_rate": 76,
        "escort_present": True,
        "no_driving_acknowledged": True,
        "exit_check_recorded": True,
        "exit_check_open_finding": False,
    }
)
"""An IV discharge check with every criterion met."""


@functools.cache
def params() -> SessionParams:
    """Return the shipped protocol's session-helper parameters."""
    return session_params(default_protocol())


def findings(kind: RuleKind, facts: Mapping[str, object], **changes: object) -> tuple[Finding, ...]:
    """Return the shipped protocol's findings of ``kind`` on ``facts`` with ``changes``."""
    return evaluate(default_protocol(), {**facts, **changes}, kinds=[kind])


def precheck(**changes: object) -> tuple[Finding, ...]:
    """Return the pre-check findings of the clean checklist with ``changes``."""
    return findings(RuleKind.PRECHECK, PRECHECK_GO, **changes)


def monitoring(**changes: object) -> tuple[Finding, ...]:
    """Return the stop findings of the calm monitoring entry with ``changes``."""
    return findings(RuleKind.STOP, MONITORING_CALM, **changes)


def discharge(**changes: object) -> tuple[Finding, ...]:
    """Return the discharge findings of the ready IV discharge with ``changes``."""
    return findings(RuleKind.DISCHARGE, DISCHARGE_READY, **changes)


def fired_ids(found: tuple[Finding, ...]) -> set[str]:
    """Return the ids of the fired findings."""
    return {f.rule_id for f in found if f.fired}
