"""Hypothesis properties of evaluate on the shipped protocol over random fact sets."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.protocol import (
    FACT_CATALOGUE,
    FactSpec,
    FactType,
    FindingStatus,
    Op,
    evaluate,
)
from keel.clinical.protocol.model import PRESENCE_OPS, iter_comparisons
from keel.clinical.protocol.tests.helpers import default_protocol

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)

# Medicine names the rules know, plus a few they do not, so list facts hit and miss.
MEDICINES = sorted(
    {
        item
        for parameter in default_protocol().parameters.values()
        if isinstance(parameter.default, tuple)
        for item in parameter.default
    }
    | {"lurasidone", "paracetamol", "salbutamol"}
)


def value_strategy(spec: FactSpec) -> st.SearchStrategy[object]:
    """Return a strategy of valid values for one fact."""
    if spec.type is FactType.BOOL:
        return st.booleans()
    if spec.type is FactType.INT:
        low = 0 if spec.minimum is None else spec.minimum
        return st.integers(low, 250 if spec.maximum is None else spec.maximum)
    if spec.type is FactType.NUMBER:
        low = Decimal(-50 if spec.minimum is None else spec.minimum)
        high = Decimal(200 if spec.maximum is None else spec.maximum)
        notable = [Decimal(v) for v in ("0.4", "0.6", "2", "24.9", "25", "49.99", "50")]
        return st.decimals(low, high, places=2) | st.sampled_from(
            [value for value in notable if low <= value <= high]
        )
    if spec.type is FactType.ENUM:
        return st.sampled_from(spec.allowed)
    if spec.type is FactType.TEXT:
        return st.text(max_size=6)
    return st.lists(st.sampled_from(MEDICINES), max_size=4)


COMPLETE = st.fixed_dictionaries(
    {name: value_strategy(spec) for name, spec in FACT_CATALOGUE.specs.items()}
)
"""A complete intake: every fact present."""

PARTIAL = st.fixed_dictionaries(
    {},
    optional={
        name: st.none() | value_strategy(spec) for name, spec in FACT_CATALOGUE.specs.items()
    },
)
"""Any subset of facts, some present as None (missing)."""


@PROPERTY_SETTINGS
@given(facts=PARTIAL)
def test_evaluate_twice_gives_equal_findings(facts: dict[str, object]) -> None:
    """Pure and deterministic: the same facts give the same findings, in rule order."""
    protocol = default_protocol()
    first = evaluate(protocol, facts)
    assert first == evaluate(protocol, dict(reversed(list(facts.items()))))
    assert [f.rule_id for f in first] == [rule.id for rule in protocol.rules]


@PROPERTY_SETTINGS
@given(facts=PARTIAL)
def test_rule_with_all_its_facts_missing_is_never_clear(facts: dict[str, object]) -> None:
    """A rule whose facts are all absent reports missing_information, never clear."""
    protocol = default_protocol()
    for rule, finding in zip(protocol.rules, evaluate(protocol, facts), strict=True):
        uses_presence = any(c.op in PRESENCE_OPS for c in iter_comparisons(rule.when))
        if uses_presence or any(facts.get(name) is not None for name in rule.facts):
            continue
        assert finding.status is FindingStatus.MISSING_INFORMATION, rule.id
        assert set(finding.missing_facts) <= set(rule.facts)
        assert finding.missing_facts


@PROPERTY_SETTINGS
@given(complete=COMPLETE, dropped=st.sets(st.sampled_from(sorted(FACT_CATALOGUE.specs))))
def test_a_definite_finding_never_changes_when_missing_facts_arrive(
    complete: dict[str, object], dropped: set[str]
) -> None:
    """Fired or clear on partial facts stays so on any completion; only missing can resolve."""
    protocol = default_protocol()
    partial = {name: value for name, value in complete.items() if name not in dropped}
    for before, after in zip(
        evaluate(protocol, partial), evaluate(protocol, complete), strict=True
    ):
        assert after.status is not FindingStatus.MISSING_INFORMATION, after.rule_id
        if before.status is not FindingStatus.MISSING_INFORMATION:
            assert before.status is after.status, before.rule_id
        assert set(before.missing_facts) <= dropped


@PROPERTY_SETTINGS
@given(facts=PARTIAL)
def test_provenance_lists_exactly_the_rules_facts_and_params(facts: dict[str, object]) -> None:
    """facts_used holds every fact a rule reads (None when missing); params_used its params."""
    protocol = default_protocol()
    for rule, finding in zip(protocol.rules, evaluate(protocol, facts), strict=True):
        assert tuple(finding.facts_used) == rule.facts
        assert tuple(finding.params_used) == rule.parameters
        for name, value in finding.facts_used.items():
            assert (value is None) is (facts.get(name) is None)
        if finding.status is not FindingStatus.MISSING_INFORMATION:
            assert finding.missing_facts == ()


def test_property_strategies_cover_every_operator_the_protocol_uses() -> None:
    """The shipped rules use only ops the strategies exercise."""
    ops = {c.op for rule in default_protocol().rules for c in iter_comparisons(rule.when)}
    allowed = {Op.EQ, Op.NE, Op.IN, Op.LT, Op.LE, Op.GT, Op.GE, Op.IS_TRUE, Op.IS_FALSE}
    assert ops <= allowed | {Op.INTERSECTS}
