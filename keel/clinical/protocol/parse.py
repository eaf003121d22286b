"""Parse and validate a protocol file's text into a :class:`Protocol`.

No file I/O: the caller reads the file (ARCHITECTURE.md, "Protocol files").
YAML is read with ``yaml.safe_load`` only; a separate ``yaml.compose`` pass
(no object construction) rejects duplicate mapping keys, which YAML would
otherwise resolve silently by keeping the last one (a second
``overridable:`` line must never win unnoticed).

Every problem raises :class:`ProtocolError` naming the rule id and field,
for example ``rule eligibility.age.minor: when.fact: unknown fact 'agee'``.
Conditions are parsed into typed objects and type-checked against the fact
catalogue; nothing is ever evaluated as code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, TypeVar

import yaml

from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol.facts import (
    FACT_CATALOGUE,
    NUMERIC_TYPES,
    FactCatalogue,
    FactSpec,
    FactType,
    InvalidFactsError,
    normalise_name,
)
from keel.clinical.protocol.model import (
    ORDERING_OPS,
    UNARY_OPS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    ExampleExpectation,
    Not,
    Op,
    Parameter,
    Protocol,
    ProtocolError,
    Rule,
    RuleExample,
    RuleKind,
    Severity,
    Value,
    coerce_value,
    iter_comparisons,
)

_PROTOCOL_ID: Final = re.compile(r"[a-z0-9][a-z0-9._-]*")
_RULE_ID: Final = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
_PARAM_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")

_HEADER_REQUIRED: Final = (
    "id",
    "version",
    "effective_from",
    "review_status",
    "title",
    "parameters",
    "rules",
)
_HEADER_OPTIONAL: Final = ("description", "reviewed_by", "reviewed_on")
_PARAM_REQUIRED: Final = ("default", "unit", "basis", "convention")
_PARAM_OPTIONAL: Final = ("description",)
_RULE_REQUIRED: Final = (
    "id",
    "title",
    "kind",
    "when",
    "severity",
    "message",
    "source",
    "rationale",
    "examples",
)
_RULE_OPTIONAL: Final = ("overridable",)
_COMPARISON_KEYS: Final = frozenset({"fact", "op", "value", "param"})
_EXAMPLE_KEYS: Final = frozenset({"facts", "params", "expect", "note"})


def load_protocol(text: str, *, catalogue: FactCatalogue = FACT_CATALOGUE) -> Protocol:
    """Return the protocol described by ``text`` (YAML), fully validated.

    Raises :class:`ProtocolError` (a ``ValueError``) naming the rule and the
    field for: invalid YAML, duplicate keys, missing or unknown fields, a
    missing id/title/message/source/rationale, a duplicate rule id, a bad
    kind or severity, a malformed condition, an unknown fact, parameter or
    operator, a comparison the fact's type does not allow, and malformed or
    one-sided examples (each rule needs a ``fires`` and a ``does_not_fire``
    example). Example::

        protocol = load_protocol(path.read_text(encoding="utf-8"))
        protocol.label  # "keel-default v1"
    """
    _reject_duplicate_keys(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}") from exc
    header = _mapping(data, field="protocol")
    _check_keys(header, _HEADER_REQUIRED, _HEADER_OPTIONAL, field="protocol")
    protocol_id = _text(header["id"], field="id")
    if _PROTOCOL_ID.fullmatch(protocol_id) is None:
        raise ProtocolError(
            f"{protocol_id!r} must be lower case letters, digits, '.', '_' or '-'", field="id"
        )
    review_status = _review_status(header["review_status"])
    reviewed_by = _optional_text(header.get("reviewed_by"), field="reviewed_by")
    reviewed_on = _optional_date(header.get("reviewed_on"), field="reviewed_on")
    if review_status is ReviewStatus.REVIEWED and (reviewed_by is None or reviewed_on is None):
        raise ProtocolError(
            "a reviewed protocol names reviewed_by and reviewed_on", field="review_status"
        )
    parameters = _parameters(header["parameters"])
    rules = _rules(header["rules"], parameters, catalogue)
    return Protocol(
        id=protocol_id,
        version=_version(header["version"]),
        effective_from=_date(header["effective_from"], field="effective_from"),
        review_status=review_status,
        title=_text(header["title"], field="title"),
        parameters=parameters,
        rules=rules,
        description=_optional_text(header.get("description"), field="description") or "",
        reviewed_by=reviewed_by,
        reviewed_on=reviewed_on,
        catalogue=catalogue,
    )


def check_operand(spec: FactSpec, op: Op, operand: Value) -> str | None:
    """Return why ``fact op operand`` is not allowed for ``spec``, or None if it is.

    eq/ne: bool, numeric, enum (an allowed value) or text facts; lt/le/gt/ge:
    numeric facts and numbers; in: enum or text facts and a list of text;
    contains: list facts and one text; intersects: list facts and a list.
    """
    kind = spec.type
    numeric_operand = isinstance(operand, int | Decimal) and not isinstance(operand, bool)
    if op in (Op.EQ, Op.NE):
        if kind is FactType.LIST_OF_TEXT:
            return f"op {op} cannot compare list fact {spec.name}; use contains or intersects"
        if kind is FactType.BOOL and not isinstance(operand, bool):
            return f"fact {spec.name} is bool; {operand!r} is not true or false"
        if kind in NUMERIC_TYPES and not numeric_operand:
            return f"fact {spec.name} is {kind}; {operand!r} is not a number"
        if kind in (FactType.ENUM, FactType.TEXT) and not isinstance(operand, str):
            return f"fact {spec.name} is {kind}; {operand!r} is not text"
        if kind is FactType.ENUM and operand not in spec.allowed:
            return f"{operand!r} is not a value of fact {spec.name} ({', '.join(spec.allowed)})"
        return None
    if op in ORDERING_OPS:
        if kind not in NUMERIC_TYPES:
            return f"op {op} needs a numeric fact; fact {spec.name} is {kind}"
        return None if numeric_operand else f"op {op} needs a number; got {operand!r}"
    if op is Op.IN:
        if kind not in (FactType.ENUM, FactType.TEXT):
            return f"op in needs an enum or text fact; fact {spec.name} is {kind}"
        if not isinstance(operand, tuple):
            return f"op in needs a list; got {operand!r}"
        if kind is FactType.ENUM:
            unknown = [item for item in operand if item not in spec.allowed]
            if unknown:
                return (
                    f"{', '.join(map(repr, unknown))} not a value of fact {spec.name} "
                    f"({', '.join(spec.allowed)})"
                )
        return None
    if op is Op.CONTAINS:
        if kind is not FactType.LIST_OF_TEXT:
            return f"op contains needs a list fact; fact {spec.name} is {kind}"
        return None if isinstance(operand, str) else f"op contains needs one text; got {operand!r}"
    if op is Op.INTERSECTS:
        if kind is not FactType.LIST_OF_TEXT:
            return f"op intersects needs a list fact; fact {spec.name} is {kind}"
        return (
            None if isinstance(operand, tuple) else f"op intersects needs a list; got {operand!r}"
        )
    return f"op {op} takes no value or param"  # pragma: no cover - unary ops have no operand


def check_param_override(
    rules: tuple[Rule, ...] | list[Rule],
    parameter: Parameter,
    raw: object,
    *,
    catalogue: FactCatalogue,
    rule_id: str | None = None,
    field: str | None = None,
) -> Value:
    """Return ``raw`` coerced for ``parameter`` and checked against every use in ``rules``.

    Raises :class:`ProtocolError` naming the rule whose comparison the new
    value does not fit (for example an enum list with an unknown level).
    """
    value = parameter.coerce(raw, rule_id=rule_id, field=field)
    for rule in rules:
        for comparison in iter_comparisons(rule.when):
            if comparison.param != parameter.name:
                continue
            spec = catalogue.get(comparison.fact)
            problem = None if spec is None else check_operand(spec, comparison.op, value)
            if problem is not None:
                raise ProtocolError(
                    f"parameter {parameter.name}: {problem}",
                    rule_id=rule_id or rule.id,
                    field=field,
                )
    return value


# ---------------------------------------------------------------- YAML shape


def _reject_duplicate_keys(text: str) -> None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}") from exc
    if root is None:
        return
    seen: set[int] = set()
    if not isinstance(root, yaml.MappingNode):
        _check_node(root, None, seen)
        return
    _check_unique_keys(root, None)
    for key, value in root.value:
        is_rules = isinstance(key, yaml.ScalarNode) and key.value == "rules"
        if is_rules and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                _check_node(item, _node_id(item), seen)
        else:
            _check_node(value, None, seen)


def _node_id(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id":
                return str(value.value) if isinstance(value, yaml.ScalarNode) else None
    return None


def _check_unique_keys(node: yaml.MappingNode, rule_id: str | None) -> None:
    keys: set[str] = set()
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in keys:
                raise ProtocolError(
                    f"duplicate key {key.value!r} (line {key.start_mark.line + 1})",
                    rule_id=rule_id,
                )
            keys.add(key.value)


def _check_node(node: yaml.Node, rule_id: str | None, seen: set[int]) -> None:
    if id(node) in seen:  # aliases may share or loop back to a node
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        _check_unique_keys(node, rule_id)
        for _key, value in node.value:
            _check_node(value, rule_id, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_node(item, rule_id, seen)


def _mapping(raw: object, *, field: str, rule_id: str | None = None) -> Mapping[str, object]:
    if not isinstance(raw, dict):
        raise ProtocolError(
            f"expected a mapping, got {type(raw).__name__}", rule_id=rule_id, field=field
        )
    for key in raw:
        if not isinstance(key, str):
            raise ProtocolError(f"key {key!r} is not text", rule_id=rule_id, field=field)
    return raw


def _check_keys(
    raw: Mapping[str, object],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    *,
    field: str | None,
    rule_id: str | None = None,
) -> None:
    for key in required:
        if key not in raw:
            raise ProtocolError(f"missing {key!r}", rule_id=rule_id, field=field)
    unknown = sorted(set(raw) - set(required) - set(optional))
    if unknown:
        raise ProtocolError(
            f"unknown field {unknown[0]!r} (allowed: {', '.join(required + optional)})",
            rule_id=rule_id,
            field=field,
        )


def _text(raw: object, *, field: str, rule_id: str | None = None) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ProtocolError("must be non-empty text", rule_id=rule_id, field=field)
    return raw.strip()


def _optional_text(raw: object, *, field: str) -> str | None:
    return None if raw is None else _text(raw, field=field)


def _version(raw: object) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return str(raw)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    raise ProtocolError(
        f"must be a positive integer or text (quote decimals such as '1.1'), got {raw!r}",
        field="version",
    )


def _date(raw: object, *, field: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ProtocolError(f"must be a date (YYYY-MM-DD), got {raw!r}", field=field)


def _optional_date(raw: object, *, field: str) -> date | None:
    return None if raw is None else _date(raw, field=field)


def _review_status(raw: object) -> ReviewStatus:
    try:
        return ReviewStatus(str(raw))
    except ValueError:
        allowed = ", ".join(status.value for status in ReviewStatus)
        raise ProtocolError(f"{raw!r} is not one of {allowed}", field="review_status") from None


# ---------------------------------------------------------------- parameters


def _parameters(raw: object) -> Mapping[str, Parameter]:
    if raw is None:
        return MappingProxyType({})
    entries = _mapping(raw, field="parameters")
    parameters: dict[str, Parameter] = {}
    for name, entry_raw in entries.items():
        where = f"parameters.{name}"
        if _PARAM_NAME.fullmatch(name) is None:
            raise ProtocolError("name must be lower snake case", field=where)
        entry = _mapping(entry_raw, field=where)
        _check_keys(entry, _PARAM_REQUIRED, _PARAM_OPTIONAL, field=where)
        default = coerce_value(entry["default"])
        if default is None:
            raise ProtocolError(
                f"default {entry['default']!r} is not a number, true/false, text or list of text",
                field=f"{where}.default",
            )
        if isinstance(default, tuple):
            default = tuple(normalise_name(item) for item in default)
        convention = entry["convention"]
        if not isinstance(convention, bool):
            raise ProtocolError("must be true or false", field=f"{where}.convention")
        unit = entry["unit"]
        if not isinstance(unit, str):
            raise ProtocolError("must be text", field=f"{where}.unit")
        parameters[name] = Parameter(
            name=name,
            default=default,
            unit=unit.strip(),
            basis=_text(entry["basis"], field=f"{where}.basis"),
            convention=convention,
            description=_optional_text(entry.get("description"), field=f"{where}.description")
            or "",
        )
    return MappingProxyType(parameters)


# ---------------------------------------------------------------- rules


def _rules(
    raw: object, parameters: Mapping[str, Parameter], catalogue: FactCatalogue
) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProtocolError("must be a non-empty list of rules", field="rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        rule = _rule(entry, index, parameters, catalogue)
        if rule.id in seen:
            raise ProtocolError("duplicate rule id", rule_id=rule.id, field="id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _rule(
    raw: object, index: int, parameters: Mapping[str, Parameter], catalogue: FactCatalogue
) -> Rule:
    entry = _mapping(raw, field=f"rules[{index}]")
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ProtocolError("missing 'id' (non-empty text)", field=f"rules[{index}]")
    rule_id = raw_id.strip()
    if _RULE_ID.fullmatch(rule_id) is None:
        raise ProtocolError(
            "id must be dotted lower snake case, e.g. eligibility.age.minor",
            rule_id=rule_id,
            field="id",
        )
    _check_keys(entry, _RULE_REQUIRED, _RULE_OPTIONAL, field=None, rule_id=rule_id)
    kind = _choice(RuleKind, entry["kind"], rule_id=rule_id, field="kind")
    severity = _choice(Severity, entry["severity"], rule_id=rule_id, field="severity")
    overridable = entry.get("overridable", True)
    if not isinstance(overridable, bool):
        raise ProtocolError("must be true or false", rule_id=rule_id, field="overridable")
    when = _condition(
        entry["when"], path="when", rule_id=rule_id, parameters=parameters, catalogue=catalogue
    )
    rule = Rule(
        id=rule_id,
        title=_text(entry["title"], rule_id=rule_id, field="title"),
        kind=kind,
        when=when,
        severity=severity,
        message=_text(entry["message"], rule_id=rule_id, field="message"),
        source=_text(entry["source"], rule_id=rule_id, field="source"),
        rationale=_text(entry["rationale"], rule_id=rule_id, field="rationale"),
        examples=(),
        overridable=overridable,
    )
    examples = _examples(entry["examples"], rule, parameters, catalogue)
    return Rule(
        id=rule.id,
        title=rule.title,
        kind=rule.kind,
        when=rule.when,
        severity=rule.severity,
        message=rule.message,
        source=rule.source,
        rationale=rule.rationale,
        examples=examples,
        overridable=rule.overridable,
    )


_E = TypeVar("_E", RuleKind, Severity, ExampleExpectation)


def _choice(enum: type[_E], raw: object, *, rule_id: str, field: str) -> _E:
    try:
        return enum(str(raw))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ProtocolError(
            f"{raw!r} is not one of {allowed}", rule_id=rule_id, field=field
        ) from None


# ---------------------------------------------------------------- conditions


def _condition(
    raw: object,
    *,
    path: str,
    rule_id: str,
    parameters: Mapping[str, Parameter],
    catalogue: FactCatalogue,
) -> Condition:
    entry = _mapping(raw, field=path, rule_id=rule_id)
    combinators = [key for key in ("all", "any", "not") if key in entry]
    if combinators:
        key = combinators[0]
        if len(entry) != 1:
            raise ProtocolError(
                f"malformed condition: {key!r} must be the only key, got {', '.join(entry)}",
                rule_id=rule_id,
                field=path,
            )
        inner = entry[key]
        if key == "not":
            return Not(
                _condition(
                    inner,
                    path=f"{path}.not",
                    rule_id=rule_id,
                    parameters=parameters,
                    catalogue=catalogue,
                )
            )
        if not isinstance(inner, list) or not inner:
            raise ProtocolError(
                f"malformed condition: {key!r} needs a non-empty list of conditions",
                rule_id=rule_id,
                field=f"{path}.{key}",
            )
        parts = tuple(
            _condition(
                part,
                path=f"{path}.{key}[{i}]",
                rule_id=rule_id,
                parameters=parameters,
                catalogue=catalogue,
            )
            for i, part in enumerate(inner)
        )
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if "fact" not in entry:
        raise ProtocolError(
            "malformed condition: expected 'all', 'any', 'not' or a comparison with 'fact'",
            rule_id=rule_id,
            field=path,
        )
    return _comparison(
        entry, path=path, rule_id=rule_id, parameters=parameters, catalogue=catalogue
    )


def _comparison(
    entry: Mapping[str, object],
    *,
    path: str,
    rule_id: str,
    parameters: Mapping[str, Parameter],
    catalogue: FactCatalogue,
) -> Comparison:
    extra = sorted(set(entry) - _COMPARISON_KEYS)
    if extra:
        raise ProtocolError(
            f"malformed condition: unknown key {extra[0]!r} (allowed: fact, op, value, param)",
            rule_id=rule_id,
            field=path,
        )
    fact = entry["fact"]
    spec = catalogue.get(fact) if isinstance(fact, str) else None
    if spec is None or not isinstance(fact, str):
        raise ProtocolError(f"unknown fact {fact!r}", rule_id=rule_id, field=f"{path}.fact")
    raw_op = entry.get("op")
    try:
        op = Op(str(raw_op))
    except ValueError:
        allowed = ", ".join(member.value for member in Op)
        raise ProtocolError(
            f"unknown op {raw_op!r} (allowed: {allowed})", rule_id=rule_id, field=f"{path}.op"
        ) from None
    has_value = "value" in entry
    has_param = "param" in entry
    if op in UNARY_OPS:
        if has_value or has_param:
            raise ProtocolError(f"op {op} takes no value or param", rule_id=rule_id, field=path)
        if op in (Op.IS_TRUE, Op.IS_FALSE) and spec.type is not FactType.BOOL:
            raise ProtocolError(
                f"type mismatch: op {op} needs a bool fact; fact {fact} is {spec.type}",
                rule_id=rule_id,
                field=path,
            )
        return Comparison(fact=fact, op=op)
    if has_value == has_param:
        raise ProtocolError(
            f"malformed condition: op {op} needs exactly one of 'value' or 'param'",
            rule_id=rule_id,
            field=path,
        )
    if has_param:
        name = entry["param"]
        parameter = parameters.get(name) if isinstance(name, str) else None
        if parameter is None or not isinstance(name, str):
            raise ProtocolError(
                f"unknown param {name!r} (declare it under parameters:)",
                rule_id=rule_id,
                field=f"{path}.param",
            )
        problem = check_operand(spec, op, parameter.default)
        if problem is not None:
            raise ProtocolError(
                f"type mismatch: parameter {name}: {problem}", rule_id=rule_id, field=path
            )
        return Comparison(fact=fact, op=op, param=name)
    value = coerce_value(entry["value"])
    if value is None:
        raise ProtocolError(
            f"value {entry['value']!r} is not a number, true/false, text or list of text",
            rule_id=rule_id,
            field=f"{path}.value",
        )
    if spec.type is FactType.LIST_OF_TEXT:
        value = (
            tuple(normalise_name(item) for item in value)
            if isinstance(value, tuple)
            else normalise_name(value)
            if isinstance(value, str)
            else value
        )
    problem = check_operand(spec, op, value)
    if problem is not None:
        raise ProtocolError(f"type mismatch: {problem}", rule_id=rule_id, field=path)
    return Comparison(fact=fact, op=op, value=value)


# ---------------------------------------------------------------- examples


def _examples(
    raw: object, rule: Rule, parameters: Mapping[str, Parameter], catalogue: FactCatalogue
) -> tuple[RuleExample, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProtocolError("must be a non-empty list", rule_id=rule.id, field="examples")
    examples = tuple(
        _example(entry, f"examples[{index}]", rule, parameters, catalogue)
        for index, entry in enumerate(raw)
    )
    expected = {example.expect for example in examples}
    for needed in (ExampleExpectation.FIRES, ExampleExpectation.DOES_NOT_FIRE):
        if needed not in expected:
            raise ProtocolError(
                f"needs at least one {needed.value!r} example", rule_id=rule.id, field="examples"
            )
    return examples


def _example(
    raw: object,
    where: str,
    rule: Rule,
    parameters: Mapping[str, Parameter],
    catalogue: FactCatalogue,
) -> RuleExample:
    entry = _mapping(raw, field=where, rule_id=rule.id)
    extra = sorted(set(entry) - _EXAMPLE_KEYS)
    if extra:
        raise ProtocolError(
            f"unknown key {extra[0]!r} (allowed: facts, params, expect, note)",
            rule_id=rule.id,
            field=where,
        )
    if "expect" not in entry or "facts" not in entry:
        raise ProtocolError("needs 'facts' and 'expect'", rule_id=rule.id, field=where)
    expect = _choice(ExampleExpectation, entry["expect"], rule_id=rule.id, field=f"{where}.expect")
    raw_facts = entry["facts"]
    facts_entry = _mapping(
        {} if raw_facts is None else raw_facts, field=f"{where}.facts", rule_id=rule.id
    )
    try:
        facts = catalogue.validate(facts_entry)
    except InvalidFactsError as exc:
        raise ProtocolError(str(exc), rule_id=rule.id, field=f"{where}.facts") from None
    overrides: dict[str, Value] = {}
    raw_params = entry.get("params")
    if raw_params is not None:
        for name, value in _mapping(raw_params, field=f"{where}.params", rule_id=rule.id).items():
            parameter = parameters.get(name)
            if parameter is None:
                raise ProtocolError(
                    f"unknown param {name!r}", rule_id=rule.id, field=f"{where}.params"
                )
            overrides[name] = check_param_override(
                [rule],
                parameter,
                value,
                catalogue=catalogue,
                rule_id=rule.id,
                field=f"{where}.params",
            )
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise ProtocolError("must be text", rule_id=rule.id, field=f"{where}.note")
    return RuleExample(
        facts=facts,
        expect=expect,
        params=MappingProxyType(overrides),
        note=(note or "").strip(),
    )
