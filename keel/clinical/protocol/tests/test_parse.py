"""load_protocol: a valid file parses; every problem names the rule and the field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol import (
    AllOf,
    Comparison,
    ExampleExpectation,
    Op,
    ParamType,
    ProtocolError,
    RuleKind,
    Severity,
    load_protocol,
)
from keel.clinical.protocol.tests.helpers import SMALL_PROTOCOL

AGE_WHEN = "when: {fact: age_years, op: lt, param: age_below}"
AGE = "rule test.age.minor"
LITHIUM = "rule test.lithium.low"


def broken(old: str, new: str, *, count: int = 1) -> str:
    """Return SMALL_PROTOCOL with ``old`` replaced by ``new`` (which must occur)."""
    assert old in SMALL_PROTOCOL, old
    return SMALL_PROTOCOL.replace(old, new, count)


def test_small_protocol_parses_into_typed_objects() -> None:
    """Header, parameters, conditions and examples come back typed."""
    protocol = load_protocol(SMALL_PROTOCOL)
    assert protocol.label == "small v3"
    assert protocol.version == "3"
    assert protocol.effective_from == date(2026, 11, 26)
    assert protocol.review_status is ReviewStatus.UNREVIEWED
    level = protocol.parameters["level_fail_below"]
    assert level.default == Decimal("0.4")
    assert level.type is ParamType.NUMBER
    assert level.convention is True
    assert protocol.parameters["agents"].default == ("Lithium", "valproate")
    age, lithium = protocol.rules
    assert age.kind is RuleKind.EXCLUSION
    assert age.severity is Severity.CRITICAL
    assert age.overridable is False
    assert age.when == Comparison(fact="age_years", op=Op.LT, param="age_below")
    assert lithium.overridable is True
    assert isinstance(lithium.when, AllOf)
    assert lithium.facts == ("antimanic_agents", "lithium_level_mmol_l")
    assert lithium.parameters == ("agents", "level_fail_below")
    assert [ex.expect for ex in age.examples] == list(ExampleExpectation)
    assert lithium.examples[2].params == {"level_fail_below": Decimal("0.6")}
    assert protocol.example_count == 6
    assert protocol.rule("test.lithium.low") is lithium


CASES = [
    # (description, old, new, pieces the message must contain)
    (
        "unknown fact",
        AGE_WHEN,
        "when: {fact: agee_years, op: lt, param: age_below}",
        [AGE, "when.fact", "unknown fact 'agee_years'"],
    ),
    (
        "unknown param",
        AGE_WHEN,
        "when: {fact: age_years, op: lt, param: age_min}",
        [AGE, "when.param", "unknown param 'age_min'"],
    ),
    (
        "unknown op",
        AGE_WHEN,
        "when: {fact: age_years, op: below, param: age_below}",
        [AGE, "when.op", "unknown op 'below'"],
    ),
    (
        "condition without fact/all/any/not",
        AGE_WHEN,
        "when: {age_years: 17}",
        [AGE, "when", "malformed condition"],
    ),
    (
        "condition that is not a mapping",
        AGE_WHEN,
        "when: age_years < 18",
        [AGE, "when", "expected a mapping"],
    ),
    (
        "empty all",
        AGE_WHEN,
        "when: {all: []}",
        [AGE, "when.all", "non-empty list"],
    ),
    (
        "combinator with a sibling key",
        AGE_WHEN,
        "when: {all: [{fact: pregnant, op: is_true}], fact: pregnant}",
        [AGE, "malformed condition", "only key"],
    ),
    (
        "comparison with an unknown key",
        AGE_WHEN,
        "when: {fact: age_years, op: lt, param: age_below, unit: years}",
        [AGE, "unknown key 'unit'"],
    ),
    (
        "nested error path",
        "        - {fact: lithium_level_mmol_l, op: lt, param: level_fail_below}",
        "        - {not: {fact: lithium_levl, op: lt, param: level_fail_below}}",
        [LITHIUM, "when.all[1].not.fact", "unknown fact"],
    ),
    (
        "lt on a bool",
        AGE_WHEN,
        "when: {fact: pregnant, op: lt, param: age_below}",
        [AGE, "type mismatch", "op lt needs a numeric fact; fact pregnant is bool"],
    ),
    (
        "is_true on an int",
        AGE_WHEN,
        "when: {fact: age_years, op: is_true}",
        [AGE, "type mismatch", "needs a bool fact"],
    ),
    (
        "eq with an unknown enum value",
        AGE_WHEN,
        "when: {fact: current_episode, op: eq, value: sad}",
        [AGE, "type mismatch", "'sad' is not a value of fact current_episode"],
    ),
    (
        "in with an unknown enum value",
        AGE_WHEN,
        "when: {fact: cssrs_level, op: in, value: [high, severe]}",
        [AGE, "'severe' not a value of fact cssrs_level"],
    ),
    (
        "eq bool against a number",
        AGE_WHEN,
        "when: {fact: pregnant, op: eq, value: 1}",
        [AGE, "fact pregnant is bool"],
    ),
    (
        "eq on a list fact",
        AGE_WHEN,
        "when: {fact: antimanic_agents, op: eq, value: lithium}",
        [AGE, "use contains or intersects"],
    ),
    (
        "contains on a scalar fact",
        AGE_WHEN,
        "when: {fact: age_years, op: contains, value: 3}",
        [AGE, "op contains needs a list fact"],
    ),
    (
        "intersects with one text",
        AGE_WHEN,
        "when: {fact: antimanic_agents, op: intersects, value: lithium}",
        [AGE, "op intersects needs a list"],
    ),
    (
        "numeric comparison with a list parameter",
        AGE_WHEN,
        "when: {fact: age_years, op: lt, param: agents}",
        [AGE, "type mismatch: parameter agents", "needs a number"],
    ),
    (
        "unary op with a value",
        AGE_WHEN,
        "when: {fact: pregnant, op: is_true, value: true}",
        [AGE, "takes no value or param"],
    ),
    (
        "binary op without an operand",
        AGE_WHEN,
        "when: {fact: age_years, op: lt}",
        [AGE, "exactly one of 'value' or 'param'"],
    ),
    (
        "binary op with both operands",
        AGE_WHEN,
        "when: {fact: age_years, op: lt, value: 18, param: age_below}",
        [AGE, "exactly one of 'value' or 'param'"],
    ),
    (
        "null value",
        AGE_WHEN,
        "when: {fact: age_years, op: lt, value: null}",
        [AGE, "when.value"],
    ),
    (
        "missing source",
        "    source: program scope (project convention)\n",
        "",
        [AGE, "missing 'source'"],
    ),
    (
        "empty source",
        "    source: program scope (project convention)\n",
        "    source: '  '\n",
        [AGE, "source", "non-empty text"],
    ),
    (
        "missing message",
        "    message: Too young.\n",
        "",
        [AGE, "missing 'message'"],
    ),
    (
        "missing rationale",
        "    rationale: Adults only.\n",
        "",
        [AGE, "missing 'rationale'"],
    ),
    (
        "missing id",
        "  - id: test.lithium.low\n",
        "  - title_note: x\n",
        ["rules[1]", "missing 'id'"],
    ),
    (
        "badly formed id",
        "  - id: test.lithium.low\n",
        "  - id: Lithium Low\n",
        ["rule Lithium Low", "dotted lower snake case"],
    ),
    (
        "duplicate rule id",
        "  - id: test.lithium.low\n",
        "  - id: test.age.minor\n",
        [AGE, "duplicate rule id"],
    ),
    (
        "bad kind",
        "    kind: exclusion\n",
        "    kind: contraindication\n",
        [AGE, "kind", "'contraindication' is not one of exclusion, caution"],
    ),
    (
        "bad severity",
        "    severity: critical\n",
        "    severity: severe\n",
        [AGE, "severity", "'severe' is not one of info, low"],
    ),
    (
        "overridable not a bool",
        "    overridable: false\n",
        "    overridable: sometimes\n",
        [AGE, "overridable", "true or false"],
    ),
    (
        "misspelt field",
        "    overridable: false\n",
        "    overrideable: false\n",
        [AGE, "unknown field 'overrideable'"],
    ),
    (
        "duplicate key inside a rule",
        "    overridable: false\n",
        "    overridable: false\n    overridable: true\n",
        [AGE, "duplicate key 'overridable'"],
    ),
    (
        "example with an unknown fact",
        "      - {expect: fires, facts: {age_years: 17}}",
        "      - {expect: fires, facts: {age: 17}}",
        [AGE, "examples[0].facts", "unknown fact 'age'"],
    ),
    (
        "example with a wrongly typed fact",
        "      - {expect: fires, facts: {age_years: 17}}",
        "      - {expect: fires, facts: {age_years: seventeen}}",
        [AGE, "examples[0].facts", "fact age_years: expected int"],
    ),
    (
        "example with a bad expectation",
        "      - {expect: fires, facts: {age_years: 17}}",
        "      - {expect: fired, facts: {age_years: 17}}",
        [AGE, "examples[0].expect", "'fired' is not one of fires"],
    ),
    (
        "example without facts",
        "      - {expect: fires, facts: {age_years: 17}}",
        "      - {expect: fires}",
        [AGE, "examples[0]", "needs 'facts' and 'expect'"],
    ),
    (
        "example with an unknown key",
        "      - {expect: fires, facts: {age_years: 17}}",
        "      - {expect: fires, facts: {age_years: 17}, when: now}",
        [AGE, "examples[0]", "unknown key 'when'"],
    ),
    (
        "example with an unknown param",
        "params: {level_fail_below: 0.6}",
        "params: {level_fail: 0.6}",
        [LITHIUM, "examples[2].params", "unknown param 'level_fail'"],
    ),
    (
        "example with a wrongly typed param",
        "params: {level_fail_below: 0.6}",
        "params: {level_fail_below: [0.6]}",
        [LITHIUM, "examples[2].params", "parameter level_fail_below: expected number"],
    ),
    (
        "rule with no does_not_fire example",
        "      - {expect: does_not_fire, facts: {age_years: 18}}\n",
        "",
        [AGE, "examples", "at least one 'does_not_fire'"],
    ),
    (
        "examples not a list",
        "      - {expect: fires, facts: {age_years: 17}}\n"
        "      - {expect: does_not_fire, facts: {age_years: 18}}\n"
        "      - {expect: missing, facts: {}}\n",
        "      fires: {age_years: 17}\n",
        [AGE, "examples", "non-empty list"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "pieces"),
    [pytest.param(old, new, pieces, id=name) for name, old, new, pieces in CASES],
)
def test_each_problem_is_refused_naming_the_rule(old: str, new: str, pieces: list[str]) -> None:
    """The ProtocolError message names the rule id, the field and the problem."""
    with pytest.raises(ProtocolError) as caught:
        load_protocol(broken(old, new))
    message = str(caught.value)
    for piece in pieces:
        assert piece in message, (piece, message)
    assert isinstance(caught.value, ValueError)


def test_error_carries_rule_id_and_field() -> None:
    """Callers get the rule id and the field as attributes, too."""
    with pytest.raises(ProtocolError) as caught:
        load_protocol(broken(AGE_WHEN, "when: {fact: agee, op: lt, param: age_below}"))
    assert caught.value.rule_id == "test.age.minor"
    assert caught.value.field == "when.fact"


HEADER_CASES = [
    ("version: 3\n", "version: 1.1\n", "version: must be a positive integer or text"),
    ("version: 3\n", "version: true\n", "version: must be a positive integer or text"),
    ("version: 3\n", "", "protocol: missing 'version'"),
    ("effective_from: 2026-11-26\n", "effective_from: soon\n", "effective_from: must be a date"),
    ("review_status: unreviewed\n", "review_status: approved\n", "review_status: 'approved'"),
    (
        "review_status: unreviewed\n",
        "review_status: reviewed\n",
        "review_status: a reviewed protocol names reviewed_by and reviewed_on",
    ),
    ("id: small\n", "id: Small Protocol\n", "id: 'Small Protocol' must be lower case"),
    ("title: Small protocol for parser tests\n", "", "protocol: missing 'title'"),
    ("title: Small", "titel: Small", "protocol: missing 'title'"),
    ("    convention: false\n", "    convention: no idea\n", "parameters.agents.convention"),
    ("    basis: project convention\n", "", "parameters.age_below: missing 'basis'"),
    ("    default: 18\n", "    default: {value: 18}\n", "parameters.age_below.default"),
    ("id: small\n", "id: small\nid: big\n", "duplicate key 'id' (line 2)"),
    ("title: Small", "notes: x\ntitle: Small", "protocol: unknown field 'notes'"),
    ("id: small\n", "id: [small\n", "not valid YAML"),
]


@pytest.mark.parametrize(("old", "new", "match"), HEADER_CASES)
def test_header_and_parameter_problems_name_the_field(old: str, new: str, match: str) -> None:
    """Header and parameter errors name the field."""
    with pytest.raises(ProtocolError, match=re.escape(match)):
        load_protocol(broken(old, new))


def test_reviewed_protocol_names_its_reviewer() -> None:
    """A reviewed protocol records who reviewed it and when."""
    text = broken(
        "review_status: unreviewed\n",
        "review_status: reviewed\nreviewed_by: Dr M Director\nreviewed_on: 2026-12-01\n",
    )
    protocol = load_protocol(text)
    assert protocol.review_status is ReviewStatus.REVIEWED
    assert protocol.reviewed_by == "Dr M Director"
    assert protocol.reviewed_on == date(2026, 12, 1)


def test_quoted_version_is_kept_as_text() -> None:
    """Version is text: '1.10' stays '1.10'."""
    assert load_protocol(broken("version: 3\n", "version: '1.10'\n")).version == "1.10"


def test_protocol_without_rules_is_refused() -> None:
    """A protocol needs at least one rule."""
    with pytest.raises(ProtocolError, match="rules: must be a non-empty list"):
        load_protocol(SMALL_PROTOCOL.split("rules:")[0] + "rules: []\n")


def test_not_a_mapping() -> None:
    """A file that is a list, or empty, is refused."""
    with pytest.raises(ProtocolError, match="protocol: expected a mapping"):
        load_protocol("- a\n- b\n")
    with pytest.raises(ProtocolError, match="protocol: expected a mapping"):
        load_protocol("")


def test_unsafe_yaml_tags_are_refused() -> None:
    """safe_load only: a Python object tag is an error, never constructed."""
    text = broken(
        "title: Small protocol for parser tests", "title: !!python/object/apply:os.getcwd []"
    )
    with pytest.raises(ProtocolError, match="not valid YAML"):
        load_protocol(text)
