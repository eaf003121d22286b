"""Between-session alert rules: pure functions over a patient's history (no Django).

Usage (app layer)::

    from keel.clinical.alerts import PatientHistory, Trigger, evaluate_alerts

    findings = evaluate_alerts(
        protocol, history, Trigger("rating", "assessment:42"),
        now=now, tz=clinic_tz, params=clinic_overrides,
    )
    for finding in findings:
        finding.rule_id, finding.priority, finding.level, finding.evidence_key

The rules live in the protocol (kind ``alert``); ``alert_facts`` computes the
derived facts they read. See docs/clinical/alerts.md for every rule, its
parameters, what it holds and who is notified.
"""

from keel.clinical.alerts.evaluate import (
    ALERT_HELPER_PARAMETERS,
    alert_rules,
    evaluate_alerts,
)
from keel.clinical.alerts.facts import PersonalBaseline, alert_facts, personal_baseline
from keel.clinical.alerts.history import (
    AlertFinding,
    DiaryPoint,
    DosePoint,
    DueItem,
    ExitCheckPoint,
    PatientHistory,
    RatingPoint,
    Trigger,
)
from keel.clinical.alerts.timing import add_business_days, in_post_session_watch

__all__ = [
    "ALERT_HELPER_PARAMETERS",
    "AlertFinding",
    "DiaryPoint",
    "DosePoint",
    "DueItem",
    "ExitCheckPoint",
    "PatientHistory",
    "PersonalBaseline",
    "RatingPoint",
    "Trigger",
    "add_business_days",
    "alert_facts",
    "alert_rules",
    "evaluate_alerts",
    "in_post_session_watch",
    "personal_baseline",
]
