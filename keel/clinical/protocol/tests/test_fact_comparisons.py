"""Fact-to-fact comparisons (other_fact, offset_param) and must-be-set parameters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.clinical.protocol import (
    Comparison,
    FindingStatus,
    Op,
    ProtocolError,
    evaluate,
    load_protocol,
    resolve_params,
    run_examples,
    unset_parameters,
)

BASELINE = """\
id: baseline
version: 1
effective_from: 2026-11-26
review_status: unreviewed
title: Fact-to-fact comparisons
parameters:
  margin:
    default: 20.0
    unit: mmHg
    basis: project convention
    convention: true
  sustained:
    default: 0
    must_be_set: true
    unit: seconds
    basis: UNCONFIRMED
    convention: true
  label:
    default: text
    unit: "-"
    basis: test
    convention: false
rules:
  - id: test.spo2.below_baseline
    title: SpO2 below baseline
    kind: discharge
    severity: critical
    overridable: false
    when: {fact: latest_spo2, op: lt, other_fact: predose_spo2}
    message: Below baseline.
    source: REFERENCE.md §6
    rationale: Baseline.
    examples:
      - {expect: fires, facts: {latest_spo2: 95, predose_spo2: 96}}
      - {expect: does_not_fire, facts: {latest_spo2: 96, predose_spo2: 96}}
      - {expect: missing, facts: {latest_spo2: 96}}
  - id: test.bp.above_baseline
    title: BP above baseline plus margin
    kind: discharge
    severity: high
    when: {fact: latest_systolic_bp, op: gt, other_fact: predose_systolic_bp, offset_param: margin}
    message: Still high.
    source: REFERENCE.md §6
    rationale: Near baseline.
    examples:
      - {expect: fires, facts: {latest_systolic_bp: 151, predose_systolic_bp: 130}}
      - {expect: does_not_fire, facts: {latest_systolic_bp: 150, predose_systolic_bp: 130}}
      - {expect: fires, facts: {latest_systolic_bp: 141, predose_systolic_bp: 130}, params: {margin: 10}}
  - id: test.spo2.sustained
    title: Sustained
    kind: stop
    severity: high
    when: {fact: spo2_sustained_seconds, op: ge, param: sustained}
    message: Call.
    source: REFERENCE.md §1.9
    rationale: Sustained.
    examples:
      - {expect: fires, facts: {spo2_sustained_seconds: 0}}
      - {expect: does_not_fire, facts: {spo2_sustained_seconds: 5}, params: {sustained: 10}}
"""

SPO2_WHEN = "when: {fact: latest_spo2, op: lt, other_fact: predose_spo2}"


def variant(new_when: str) -> str:
    """Return BASELINE with the SpO2 rule's condition replaced."""
    return BASELINE.replace(SPO2_WHEN, new_when, 1)


def test_parses_into_comparisons_with_other_fact_and_offset() -> None:
    """other_fact and offset_param are typed fields; facts and parameters list them."""
    protocol = load_protocol(BASELINE)
    spo2, bp, _ = protocol.rules
    assert spo2.when == Comparison(fact="latest_spo2", op=Op.LT, other_fact="predose_spo2")
    assert spo2.facts == ("latest_spo2", "predose_spo2")
    assert bp.facts == ("latest_systolic_bp", "predose_systolic_bp")
    assert bp.parameters == ("margin",)
    assert run_examples(protocol) == []


def test_evaluation_reads_both_facts_and_the_offset() -> None:
    """Provenance carries both facts and the offset parameter; a missing one is named."""
    protocol = load_protocol(BASELINE)
    facts = {"latest_systolic_bp": 151, "predose_systolic_bp": 130, "latest_spo2": 97}
    spo2, bp = evaluate(protocol, facts, kinds=["discharge"])
    assert bp.status is FindingStatus.FIRED
    assert dict(bp.facts_used) == {"latest_systolic_bp": 151, "predose_systolic_bp": 130}
    assert dict(bp.params_used) == {"margin": 20}
    assert spo2.status is FindingStatus.MISSING_INFORMATION
    assert spo2.missing_facts == ("predose_spo2",)
    assert dict(spo2.facts_used) == {"latest_spo2": 97, "predose_spo2": None}
    (empty,) = evaluate(protocol, {}, kinds=["discharge"])[:1]
    assert empty.missing_facts == ("latest_spo2", "predose_spo2")


def test_decimal_facts_and_offsets_compare_exactly() -> None:
    """Numbers compare as Decimal: 150.5 > 130 + 20."""
    protocol = load_protocol(BASELINE)
    _, bp, _ = evaluate(
        protocol, {"latest_systolic_bp": 150, "predose_systolic_bp": 130}, params={"margin": 19.5}
    )
    assert bp.status is FindingStatus.FIRED
    assert bp.params_used["margin"] == Decimal("19.5")


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            "when: {fact: latest_spo2, op: lt, other_fact: predose_spo22}",
            "unknown fact 'predose_spo22'",
        ),
        (
            "when: {fact: latest_spo2, op: eq, other_fact: predose_spo2}",
            "other_fact needs lt, le, gt or ge",
        ),
        ("when: {fact: latest_spo2, op: lt, other_fact: apnoea}", "fact apnoea is bool"),
        ("when: {fact: apnoea, op: lt, other_fact: latest_spo2}", "fact apnoea is bool"),
        (
            "when: {fact: latest_spo2, op: lt, other_fact: predose_spo2, offset_param: nope}",
            "unknown param 'nope'",
        ),
        (
            "when: {fact: latest_spo2, op: lt, other_fact: predose_spo2, offset_param: label}",
            "offset parameter label must be a number",
        ),
        (
            "when: {fact: latest_spo2, op: lt, offset_param: margin, value: 90}",
            "offset_param needs other_fact",
        ),
        (
            "when: {fact: latest_spo2, op: lt, value: 90, other_fact: predose_spo2}",
            "exactly one of 'value' or 'param'",
        ),
        ("when: {fact: apnoea, op: is_true, other_fact: predose_spo2}", "takes no value or param"),
    ],
)
def test_bad_fact_comparisons_name_the_rule(when: str, message: str) -> None:
    """Each malformed fact-to-fact comparison is refused naming the rule."""
    with pytest.raises(ProtocolError, match=r"rule test\.spo2\.below_baseline") as caught:
        load_protocol(variant(when))
    assert message in str(caught.value)


def test_an_offset_override_must_be_a_number() -> None:
    """A clinic value for an offset parameter is checked against the rules using it."""
    protocol = load_protocol(BASELINE)
    assert resolve_params(protocol, {"margin": 15})["margin"] == 15
    with pytest.raises(ProtocolError, match="parameter margin: expected number"):
        resolve_params(protocol, {"margin": "15"})


def test_must_be_set_parameters_are_listed_until_the_clinic_sets_them() -> None:
    """must_be_set marks a placeholder; unset_parameters lists it until overridden."""
    protocol = load_protocol(BASELINE)
    assert protocol.parameters["sustained"].must_be_set is True
    assert protocol.parameters["margin"].must_be_set is False
    assert unset_parameters(protocol) == ("sustained",)
    assert unset_parameters(protocol, {"sustained": 0}) == ()


def test_must_be_set_is_true_or_false() -> None:
    """A non-boolean must_be_set is refused naming the parameter."""
    text = BASELINE.replace("must_be_set: true", "must_be_set: yes please")
    with pytest.raises(
        ProtocolError, match=r"parameters\.sustained\.must_be_set: must be true or false"
    ):
        load_protocol(text)
