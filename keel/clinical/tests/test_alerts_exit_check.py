"""The exit check at discharge as an alert trigger (REFERENCE.md §6 "Safety", keel-default v4)."""

from __future__ import annotations

import dataclasses

import pytest

from keel.clinical.alerts import AlertFinding, ExitCheckPoint, PatientHistory, Trigger
from keel.clinical.tests.alert_helpers import History, at, run

NOW = at(3, 14)
REF = "exit_check:7"


def _with_check(history: History, **found: bool) -> PatientHistory:
    answers = {"mood_elevation": False, "perceptual_change": False, "new_suicidal_ideation": False}
    answers.update(found)
    return dataclasses.replace(
        history.build(), exit_checks=(ExitCheckPoint(ref=REF, at=NOW, **answers),)
    )


def _fired(
    history: PatientHistory, params: dict[str, object] | None = None
) -> dict[str, AlertFinding]:
    findings = run(history, Trigger("exit_check", REF), NOW, params)
    return {f.rule_id: f for f in findings}


@pytest.mark.parametrize("found", ["mood_elevation", "perceptual_change"])
def test_an_elevation_still_present_at_discharge_is_amber_and_holds(found: str) -> None:
    """Inside the acute window, yet it enters the switch rules: amber, held, psychiatrist told."""
    history = History()
    history.dose(at(3, 11))  # three hours before: inside the 4-hour acute window
    fired = _fired(_with_check(history, **{found: True}))
    assert list(fired) == ["switch.amber.exit_check"]
    finding = fired["switch.amber.exit_check"]
    assert (finding.category, finding.level, finding.hold) == ("mood_elevation", "amber", "amber")
    assert finding.notify_psychiatrist is True
    assert finding.evidence_key == REF


def test_new_suicidal_ideation_at_exit_is_urgent() -> None:
    fired = _fired(_with_check(History(), new_suicidal_ideation=True))
    assert list(fired) == ["suicide.exit_check.new_ideation"]
    assert fired["suicide.exit_check.new_ideation"].priority == "urgent"


def test_a_clear_exit_check_fires_nothing() -> None:
    assert _fired(_with_check(History())) == {}


def test_a_risk_modifier_escalates_the_exit_check_amber_to_red_when_the_clinic_says_so() -> None:
    """REFERENCE.md §5.2: with the option on, amber is handled as red when a modifier is present."""
    history = History(risk_modifiers=frozenset({"bipolar_i"}))
    fired = _fired(
        _with_check(history, mood_elevation=True), {"switch_risk_modifier_escalation": True}
    )
    finding = fired["switch.amber.exit_check"]
    assert (finding.level, finding.priority) == ("red", "urgent")


def test_the_exit_check_rules_never_fire_on_other_triggers() -> None:
    history = History()
    ref = history.rate("asrm", at(3, 9), total=2)
    fired = {f.rule_id for f in run(history, Trigger("rating", ref), NOW)}
    assert not {"switch.amber.exit_check", "suicide.exit_check.new_ideation"} & fired
