"""The ``alert:`` mapping of alert rules: required on kind alert, refused elsewhere, validated."""

from __future__ import annotations

import pytest

from keel.clinical.protocol import ProtocolError, load_protocol
from keel.clinical.protocol.model import (
    AckUnit,
    AlertCategory,
    AlertEvidence,
    AlertLevel,
    AlertPriority,
)

HEADER = """\
id: alerts-test
version: 1
effective_from: 2026-11-26
review_status: unreviewed
title: Alert metadata parser tests
parameters:
  switch_amber_asrm_min: {{default: 6, unit: total, basis: "Altman 1997 [src]", convention: true}}
  switch_amber_review_hours: {{default: 24, unit: hours, basis: convention, convention: true}}
  suicide_high_risk_response: {{default: immediate, unit: "-", basis: Columbia, convention: false}}
rules:
  - id: switch.amber.asrm
    title: ASRM amber
    kind: {kind}
    severity: moderate
    when: {{fact: trigger_asrm_total, op: ge, param: switch_amber_asrm_min}}
    message: Review.
    source: REFERENCE.md §5.2
    rationale: Amber only.
{alert}    examples:
      - {{expect: fires, facts: {{trigger_asrm_total: 6}}}}
      - {{expect: does_not_fire, facts: {{trigger_asrm_total: 5}}}}
"""

GOOD_ALERT = """\
    alert:
      category: mood_elevation
      priority: routine
      level: amber
      hold: amber
      notify_psychiatrist: true
      show_crisis: false
      ack_hours_param: switch_amber_review_hours
      evidence: rating_persistence
"""


def protocol_text(alert: str = GOOD_ALERT, kind: str = "alert") -> str:
    """Return the one-rule protocol with ``alert`` (indented lines, or empty) and ``kind``."""
    return HEADER.format(kind=kind, alert=alert)


def test_valid_alert_metadata_is_parsed() -> None:
    """Every field lands on Rule.alert, typed."""
    rule = load_protocol(protocol_text()).rule("switch.amber.asrm")
    spec = rule.alert
    assert spec is not None
    assert spec.category is AlertCategory.MOOD_ELEVATION
    assert spec.priority is AlertPriority.ROUTINE
    assert (spec.level, spec.hold) == (AlertLevel.AMBER, AlertLevel.AMBER)
    assert (spec.notify_psychiatrist, spec.show_crisis) == (True, False)
    assert (spec.ack_param, spec.ack_unit) == ("switch_amber_review_hours", AckUnit.HOURS)
    assert spec.response_param is None
    assert spec.evidence is AlertEvidence.RATING_PERSISTENCE
    assert spec.parameters == ("switch_amber_review_hours",)


def test_alert_rule_without_metadata_is_refused_naming_the_rule() -> None:
    """A rule of kind alert must say what it raises."""
    with pytest.raises(ProtocolError, match=r"rule switch\.amber\.asrm: alert: .*needs an 'alert'"):
        load_protocol(protocol_text(alert=""))


def test_metadata_on_another_kind_is_refused() -> None:
    """Only alert rules carry alert metadata (backward compatible: others never had it)."""
    with pytest.raises(ProtocolError, match="only a rule of kind alert"):
        load_protocol(protocol_text(kind="caution"))
    assert load_protocol(protocol_text(alert="", kind="caution")).rules[0].alert is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("category: mood_elevation", "category: mood", "alert.category: 'mood' is not one of"),
        ("priority: routine", "priority: soon", "alert.priority"),
        ("      level: amber\n", "", "a mood_elevation alert has level amber or red"),
        ("category: mood_elevation", "category: suicidality", "other categories have no level"),
        ("hold: amber", "hold: orange", "alert.hold"),
        ("notify_psychiatrist: true", "notify_psychiatrist: yes please", "notify_psychiatrist"),
        ("show_crisis: false", "show_crisis: 0", "alert.show_crisis: must be true or false"),
        ("evidence: rating_persistence", "evidence: hunch", "alert.evidence"),
        (
            "      ack_hours_param: switch_amber_review_hours\n",
            "",
            "needs exactly one of ack_minutes_param",
        ),
        (
            "ack_hours_param: switch_amber_review_hours",
            "ack_hours_param: switch_amber_review_hours\n      ack_minutes_param: x",
            "needs exactly one",
        ),
        ("ack_hours_param: switch_amber_review_hours", "ack_hours_param: nope", "unknown param"),
        (
            "ack_hours_param: switch_amber_review_hours",
            "ack_hours_param: suicide_high_risk_response",
            "must be an integer",
        ),
        ("evidence: rating_persistence", "response_param: missing_param", "alert.response_param"),
        ("evidence: rating_persistence", "colour: amber", "unknown field 'colour'"),
    ],
)
def test_bad_metadata_is_refused(old: str, new: str, message: str) -> None:
    """Each field is checked; the error names the rule and the field."""
    assert old in GOOD_ALERT
    with pytest.raises(ProtocolError, match=r"rule switch\.amber\.asrm") as caught:
        load_protocol(protocol_text(alert=GOOD_ALERT.replace(old, new)))
    assert message in str(caught.value)


def test_response_param_is_recorded() -> None:
    """response_param names a parameter shown with the alert; it may be text."""
    alert = GOOD_ALERT.replace(
        "evidence: rating_persistence", "response_param: suicide_high_risk_response"
    )
    spec = load_protocol(protocol_text(alert=alert)).rules[0].alert
    assert spec is not None
    assert spec.response_param == "suicide_high_risk_response"
    assert spec.evidence is AlertEvidence.TRIGGER
    assert spec.parameters == ("switch_amber_review_hours", "suicide_high_risk_response")
