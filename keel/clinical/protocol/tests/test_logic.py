"""Three-valued logic tables and every comparison operator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.clinical.protocol import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    FindingStatus,
    Not,
    Op,
    Truth,
    Value,
    evaluate,
)
from keel.clinical.protocol.logic import all_of, any_of, not_
from keel.clinical.protocol.tests.helpers import one_rule

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN

AND_TABLE = [
    (T, T, T),
    (T, F, F),
    (T, U, U),
    (F, T, F),
    (F, F, F),
    (F, U, F),
    (U, T, U),
    (U, F, F),
    (U, U, U),
]
OR_TABLE = [
    (T, T, T),
    (T, F, T),
    (T, U, T),
    (F, T, T),
    (F, F, F),
    (F, U, U),
    (U, T, T),
    (U, F, U),
    (U, U, U),
]


@pytest.mark.parametrize(("left", "right", "expected"), AND_TABLE)
def test_all_of_table(left: Truth, right: Truth, expected: Truth) -> None:
    """all: FALSE beats UNKNOWN beats TRUE."""
    assert all_of([left, right]) is expected


@pytest.mark.parametrize(("left", "right", "expected"), OR_TABLE)
def test_any_of_table(left: Truth, right: Truth, expected: Truth) -> None:
    """any: TRUE beats UNKNOWN beats FALSE."""
    assert any_of([left, right]) is expected


@pytest.mark.parametrize(("value", "expected"), [(T, F), (F, T), (U, U)])
def test_not_table(value: Truth, expected: Truth) -> None:
    """not UNKNOWN is UNKNOWN."""
    assert not_(value) is expected


def test_empty_combinations() -> None:
    """The identities: all() is TRUE and any() is FALSE (the parser refuses empty lists)."""
    assert all_of([]) is T
    assert any_of([]) is F


# A fact that is TRUE, one that is FALSE, one that is missing, as rule conditions.
IS_T = Comparison(fact="pregnant", op=Op.IS_TRUE)
IS_F = Comparison(fact="breastfeeding", op=Op.IS_TRUE)
IS_U = Comparison(fact="pregnancy_planned", op=Op.IS_TRUE)
LEAVES = {T: IS_T, F: IS_F, U: IS_U}
STATUS = {T: FindingStatus.FIRED, F: FindingStatus.CLEAR, U: FindingStatus.MISSING_INFORMATION}
FACTS = {"pregnant": True, "breastfeeding": False}


def status_of(condition: Condition, facts: dict[str, object] | None = None) -> FindingStatus:
    """Return the status of a one-rule protocol on ``facts`` (default: T/F/U leaves)."""
    (finding,) = evaluate(one_rule(condition), FACTS if facts is None else facts)
    return finding.status


@pytest.mark.parametrize(("left", "right", "expected"), AND_TABLE)
def test_rule_all_follows_the_table(left: Truth, right: Truth, expected: Truth) -> None:
    """A rule's ``all`` gives the table's answer as a finding status."""
    assert status_of(AllOf((LEAVES[left], LEAVES[right]))) is STATUS[expected]


@pytest.mark.parametrize(("left", "right", "expected"), OR_TABLE)
def test_rule_any_follows_the_table(left: Truth, right: Truth, expected: Truth) -> None:
    """A rule's ``any`` gives the table's answer as a finding status."""
    assert status_of(AnyOf((LEAVES[left], LEAVES[right]))) is STATUS[expected]


@pytest.mark.parametrize(("value", "expected"), [(T, F), (F, T), (U, U)])
def test_rule_not_follows_the_table(value: Truth, expected: Truth) -> None:
    """A rule's ``not`` of a missing fact stays missing, never clear."""
    assert status_of(Not(LEAVES[value])) is STATUS[expected]


LITHIUM = ("lithium",)
OPS: list[tuple[str, Op, Value | None, object, FindingStatus]] = [
    # fact, op, literal operand, fact value, expected
    ("age_years", Op.EQ, 18, 18, FindingStatus.FIRED),
    ("age_years", Op.EQ, 18, 19, FindingStatus.CLEAR),
    ("age_years", Op.NE, 18, 19, FindingStatus.FIRED),
    ("age_years", Op.NE, 18, 18, FindingStatus.CLEAR),
    ("lithium_level_mmol_l", Op.EQ, Decimal("0.6"), 0.6, FindingStatus.FIRED),
    ("lithium_level_mmol_l", Op.EQ, 1, Decimal("1.0"), FindingStatus.FIRED),
    ("pregnant", Op.EQ, True, True, FindingStatus.FIRED),
    ("pregnant", Op.EQ, True, False, FindingStatus.CLEAR),
    ("pregnant", Op.NE, True, False, FindingStatus.FIRED),
    ("cssrs_level", Op.EQ, "high", "high", FindingStatus.FIRED),
    ("cssrs_level", Op.NE, "high", "low", FindingStatus.FIRED),
    ("icd10_code", Op.EQ, "F31.81", "F31.81", FindingStatus.FIRED),
    ("age_years", Op.LT, 18, 17, FindingStatus.FIRED),
    ("age_years", Op.LT, 18, 18, FindingStatus.CLEAR),
    ("age_years", Op.LE, 18, 18, FindingStatus.FIRED),
    ("age_years", Op.LE, 18, 19, FindingStatus.CLEAR),
    ("age_years", Op.GT, 18, 19, FindingStatus.FIRED),
    ("age_years", Op.GT, 18, 18, FindingStatus.CLEAR),
    ("age_years", Op.GE, 18, 18, FindingStatus.FIRED),
    ("age_years", Op.GE, 18, 17, FindingStatus.CLEAR),
    ("lithium_level_mmol_l", Op.LT, Decimal("0.4"), 0.39, FindingStatus.FIRED),
    ("lithium_level_mmol_l", Op.LT, Decimal("0.4"), 0.4, FindingStatus.CLEAR),
    ("lithium_level_mmol_l", Op.GE, Decimal("0.4"), 1, FindingStatus.FIRED),
    ("current_episode", Op.IN, ("manic", "mixed"), "mixed", FindingStatus.FIRED),
    ("current_episode", Op.IN, ("manic", "mixed"), "depressed", FindingStatus.CLEAR),
    ("icd10_code", Op.IN, ("F31.81", "F31.9"), "F31.9", FindingStatus.FIRED),
    ("icd10_code", Op.IN, ("F31.81", "F31.9"), "F32.9", FindingStatus.CLEAR),
    ("antimanic_agents", Op.CONTAINS, "lithium", ["quetiapine", "lithium"], FindingStatus.FIRED),
    ("antimanic_agents", Op.CONTAINS, "lithium", ["quetiapine"], FindingStatus.CLEAR),
    ("antimanic_agents", Op.CONTAINS, "lithium", [], FindingStatus.CLEAR),
    ("antimanic_agents", Op.CONTAINS, "Valproic Acid", ["valproic  acid"], FindingStatus.FIRED),
    ("antimanic_agents", Op.INTERSECTS, LITHIUM, ["Lithium"], FindingStatus.FIRED),
    ("antimanic_agents", Op.INTERSECTS, LITHIUM, ["lamotrigine"], FindingStatus.CLEAR),
    ("antimanic_agents", Op.INTERSECTS, LITHIUM, [], FindingStatus.CLEAR),
    ("antimanic_agents", Op.INTERSECTS, ("Lithium ",), ["lithium"], FindingStatus.FIRED),
    ("pregnant", Op.IS_TRUE, None, True, FindingStatus.FIRED),
    ("pregnant", Op.IS_TRUE, None, False, FindingStatus.CLEAR),
    ("pregnant", Op.IS_FALSE, None, False, FindingStatus.FIRED),
    ("pregnant", Op.IS_FALSE, None, True, FindingStatus.CLEAR),
    ("age_years", Op.PRESENT, None, 40, FindingStatus.FIRED),
    ("age_years", Op.PRESENT, None, None, FindingStatus.CLEAR),
    ("age_years", Op.ABSENT, None, None, FindingStatus.FIRED),
    ("age_years", Op.ABSENT, None, 40, FindingStatus.CLEAR),
]


@pytest.mark.parametrize(("fact", "op", "operand", "value", "expected"), OPS)
def test_each_op_with_a_literal(
    fact: str, op: Op, operand: Value | None, value: object, expected: FindingStatus
) -> None:
    """Each operator compares the fact with a literal value."""
    assert status_of(Comparison(fact=fact, op=op, value=operand), {fact: value}) is expected


@pytest.mark.parametrize(
    ("fact", "op", "operand", "value", "expected"),
    [row for row in OPS if row[2] is not None],
)
def test_each_op_with_a_param(
    fact: str, op: Op, operand: Value, value: object, expected: FindingStatus
) -> None:
    """Each binary operator compares the fact with a parameter the same way."""
    protocol = one_rule(Comparison(fact=fact, op=op, param="p"), params={"p": operand})
    (finding,) = evaluate(protocol, {fact: value})
    assert finding.status is expected
    assert dict(finding.params_used) == {"p": operand}


@pytest.mark.parametrize("op", [op for op in Op if op not in (Op.PRESENT, Op.ABSENT)])
@pytest.mark.parametrize("missing", ["absent key", "None value"])
def test_every_comparison_on_a_missing_fact_is_unknown(op: Op, missing: str) -> None:
    """Absent or None: the rule reports missing information and names the fact."""
    operand: dict[Op, Value] = {
        Op.IN: ("manic",),
        Op.CONTAINS: "lithium",
        Op.INTERSECTS: ("lithium",),
    }
    fact = {
        Op.IN: "current_episode",
        Op.CONTAINS: "antimanic_agents",
        Op.INTERSECTS: "antimanic_agents",
        Op.IS_TRUE: "pregnant",
        Op.IS_FALSE: "pregnant",
    }.get(op, "age_years")
    value = operand.get(op, None if op in (Op.IS_TRUE, Op.IS_FALSE) else 18)
    facts: dict[str, object] = {} if missing == "absent key" else {fact: None}
    (finding,) = evaluate(one_rule(Comparison(fact=fact, op=op, value=value)), facts)
    assert finding.status is FindingStatus.MISSING_INFORMATION
    assert finding.missing_facts == (fact,)
    assert dict(finding.facts_used) == {fact: None}


@pytest.mark.parametrize(("op", "expected"), [(Op.PRESENT, False), (Op.ABSENT, True)])
def test_presence_ops_are_never_unknown(op: Op, expected: bool) -> None:
    """present/absent answer definitely on a missing fact."""
    (finding,) = evaluate(one_rule(Comparison(fact="lithium_level_mmol_l", op=op)), {})
    assert finding.fired is expected
    assert finding.missing_facts == ()


def test_missing_facts_name_only_what_left_the_answer_open() -> None:
    """any(missing A, all(missing B, false C)): only A is reported; B cannot matter."""
    condition = AnyOf(
        (
            Comparison(fact="pregnant", op=Op.IS_TRUE),
            AllOf(
                (
                    Comparison(fact="breastfeeding", op=Op.IS_TRUE),
                    Comparison(fact="age_years", op=Op.LT, value=18),
                )
            ),
        )
    )
    (finding,) = evaluate(one_rule(condition), {"age_years": 40})
    assert finding.status is FindingStatus.MISSING_INFORMATION
    assert finding.missing_facts == ("pregnant",)
    assert dict(finding.facts_used) == {"pregnant": None, "breastfeeding": None, "age_years": 40}


def test_a_definite_answer_lists_no_missing_facts() -> None:
    """all(false, missing) is clear: the missing fact is read but not reported."""
    condition = AllOf(
        (
            Comparison(fact="antimanic_agents", op=Op.CONTAINS, value="lithium"),
            Comparison(fact="lithium_level_mmol_l", op=Op.LT, value=Decimal("0.4")),
        )
    )
    (finding,) = evaluate(one_rule(condition), {"antimanic_agents": ["valproate"]})
    assert finding.status is FindingStatus.CLEAR
    assert finding.missing_facts == ()
    assert "lithium_level_mmol_l" in finding.facts_used
