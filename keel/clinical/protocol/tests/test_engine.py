"""evaluate, resolve_params and run_examples on small protocols."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.clinical.protocol import (
    ExampleExpectation,
    ExampleFailure,
    FindingStatus,
    InvalidFactsError,
    Protocol,
    ProtocolError,
    RuleKind,
    evaluate,
    load_protocol,
    resolve_params,
    run_examples,
)
from keel.clinical.protocol.tests.helpers import SMALL_PROTOCOL

LOW_LITHIUM = {"antimanic_agents": ["lithium"], "lithium_level_mmol_l": 0.5, "age_years": 40}


@pytest.fixture
def small() -> Protocol:
    """The two-rule parser-test protocol."""
    return load_protocol(SMALL_PROTOCOL)


def test_findings_follow_rule_order_with_provenance(small: Protocol) -> None:
    """One finding per rule, in file order, carrying everything a decision stores."""
    age, lithium = evaluate(small, LOW_LITHIUM)
    assert (age.rule_id, lithium.rule_id) == ("test.age.minor", "test.lithium.low")
    assert age.status is FindingStatus.CLEAR
    assert lithium.status is FindingStatus.CLEAR
    assert (lithium.protocol_id, lithium.protocol_version) == ("small", "3")
    assert lithium.kind is RuleKind.REQUIREMENT
    assert lithium.overridable is True
    assert age.overridable is False
    assert lithium.source == "Nolen 2019 [src]"
    assert (lithium.title, lithium.message, lithium.rationale) == (
        "Low lithium",
        "Lithium too low.",
        "Protection.",
    )
    assert dict(lithium.facts_used) == {
        "antimanic_agents": ("lithium",),
        "lithium_level_mmol_l": Decimal("0.5"),
    }
    assert dict(lithium.params_used) == {
        "agents": ("Lithium", "valproate"),
        "level_fail_below": Decimal("0.4"),
    }
    assert dict(age.facts_used) == {"age_years": 40}
    assert dict(age.params_used) == {"age_below": 18}


def test_params_override_the_defaults(small: Protocol) -> None:
    """A clinic's value replaces the default and is recorded as used."""
    (_, lithium) = evaluate(small, LOW_LITHIUM, params={"level_fail_below": 0.6})
    assert lithium.status is FindingStatus.FIRED
    assert lithium.params_used["level_fail_below"] == Decimal("0.6")
    (_, lithium) = evaluate(small, LOW_LITHIUM, params={"agents": ["Valproate"]})
    assert lithium.status is FindingStatus.CLEAR
    assert lithium.params_used["agents"] == ("Valproate",)


def test_integer_override_of_a_number_parameter_is_a_decimal(small: Protocol) -> None:
    """``1`` for a number parameter becomes Decimal('1')."""
    assert resolve_params(small, {"level_fail_below": 1})["level_fail_below"] == Decimal(1)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"level_fail": 0.5}, "unknown parameter 'level_fail' for protocol small v3"),
        ({"level_fail_below": "0.5"}, "parameter level_fail_below: expected number"),
        ({"age_below": 17.5}, "parameter age_below: expected integer"),
        ({"age_below": True}, "parameter age_below: expected integer"),
        ({"agents": "lithium"}, "parameter agents: expected list_of_text"),
    ],
)
def test_bad_overrides_are_refused(small: Protocol, params: dict[str, object], match: str) -> None:
    """Unknown names and wrong types raise ProtocolError."""
    with pytest.raises(ProtocolError, match=match):
        evaluate(small, LOW_LITHIUM, params=params)


def test_override_that_does_not_fit_a_rule_names_the_rule() -> None:
    """An enum-list override with an unknown level names the rule that uses it."""
    text = (
        SMALL_PROTOCOL.replace(
            "  agents:\n",
            "  crisis_levels:\n    default: [high]\n    unit: C-SSRS level\n"
            "    basis: Columbia [src]\n    convention: false\n  agents:\n",
        )
        .replace(
            "when: {fact: age_years, op: lt, param: age_below}",
            "when: {fact: cssrs_level, op: in, param: crisis_levels}",
        )
        .replace("{age_years: 17}", "{cssrs_level: high}")
        .replace("{age_years: 18}", "{cssrs_level: low}")
    )
    protocol = load_protocol(text)
    with pytest.raises(ProtocolError, match=r"rule test\.age\.minor: .*'severe' not a value"):
        evaluate(protocol, {}, params={"crisis_levels": ["high", "severe"]})


def test_facts_are_validated_before_any_rule(small: Protocol) -> None:
    """An unknown or wrongly typed fact stops evaluation with a ValueError naming it."""
    with pytest.raises(InvalidFactsError, match="unknown fact 'lithium_level'"):
        evaluate(small, {"lithium_level": 0.5})
    with pytest.raises(InvalidFactsError, match="fact age_years"):
        evaluate(small, {"age_years": "40"})


def test_kinds_selects_rules(small: Protocol) -> None:
    """``kinds`` keeps only rules of those kinds (strings accepted)."""
    findings = evaluate(small, LOW_LITHIUM, kinds=["requirement"])
    assert [f.rule_id for f in findings] == ["test.lithium.low"]
    assert evaluate(small, LOW_LITHIUM, kinds=[RuleKind.ALERT]) == ()
    with pytest.raises(ValueError, match="unknown rule kind 'exclusions'"):
        evaluate(small, LOW_LITHIUM, kinds=["exclusions"])


def test_evaluate_is_deterministic(small: Protocol) -> None:
    """The same protocol, facts and params give equal findings."""
    facts = {"antimanic_agents": ["lithium"], "lithium_level_mmol_l": 0.35}
    first = evaluate(small, facts, params={"age_below": 21})
    second = evaluate(small, dict(facts), params={"age_below": 21})
    assert first == second
    assert [f.status for f in first] == [
        FindingStatus.MISSING_INFORMATION,
        FindingStatus.FIRED,
    ]
    assert first[0].missing_facts == ("age_years",)


def test_re_running_on_recorded_provenance_reproduces_the_finding(small: Protocol) -> None:
    """A stored finding's facts_used and params_used reproduce it exactly."""
    (_, stored) = evaluate(small, LOW_LITHIUM, params={"level_fail_below": 0.6})
    (_, again) = evaluate(small, dict(stored.facts_used), params=dict(stored.params_used))
    assert again == stored


def test_run_examples_passes_on_a_correct_protocol(small: Protocol) -> None:
    """Every example of the small protocol holds."""
    assert run_examples(small) == []


def test_run_examples_reports_each_mismatch() -> None:
    """A wrong expectation is reported with rule id, index, expected and got."""
    text = SMALL_PROTOCOL.replace(
        "      - {expect: missing, facts: {}}",
        "      - {expect: does_not_fire, facts: {}}",
    ).replace(
        "{expect: fires, facts: {antimanic_agents: [lithium], lithium_level_mmol_l: 0.3}}",
        "{expect: does_not_fire, facts: {antimanic_agents: [lithium], lithium_level_mmol_l: 0.3}}",
    )
    failures = run_examples(load_protocol(text))
    assert failures == [
        ExampleFailure(
            rule_id="test.age.minor",
            index=2,
            expected=ExampleExpectation.DOES_NOT_FIRE,
            got=ExampleExpectation.MISSING,
            missing_facts=("age_years",),
        ),
        ExampleFailure(
            rule_id="test.lithium.low",
            index=0,
            expected=ExampleExpectation.DOES_NOT_FIRE,
            got=ExampleExpectation.FIRES,
        ),
    ]
    assert str(failures[0]) == (
        "rule test.age.minor: examples[2]: expected does_not_fire, got missing (missing: age_years)"
    )
