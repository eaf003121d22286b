"""Conditions: parsing the ``when:`` vocabulary and type-checking comparisons.

A condition is ``all: [...]``, ``any: [...]``, ``not: {...}`` or a
comparison ``{fact: NAME, op: OP, value: LITERAL}`` /
``{fact: NAME, op: OP, param: NAME}`` /
``{fact: NAME, op: OP, other_fact: NAME[, offset_param: NAME]}`` (a numeric
fact ordered against a second numeric fact, optionally plus a numeric
parameter, e.g. a discharge reading against its pre-dose baseline). Each
comparison is checked against
the fact's catalogue type when the file is loaded (and each parameter
override when it is applied), so evaluation never meets an operand it cannot
compare. Nothing is evaluated as code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from keel.clinical.protocol import _shape as shape
from keel.clinical.protocol.facts import (
    NUMERIC_TYPES,
    FactCatalogue,
    FactSpec,
    FactType,
)
from keel.clinical.protocol.floors import floor_parameter_problem
from keel.clinical.protocol.model import (
    ORDERING_OPS,
    UNARY_OPS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Op,
    Parameter,
    ProtocolError,
    Rule,
    Value,
    coerce_value,
    iter_comparisons,
)

_COMPARISON_KEYS: Final = frozenset({"fact", "op", "value", "param", "other_fact", "offset_param"})
_OPERAND_KEYS: Final = ("value", "param", "other_fact")


def _is_number(value: Value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def check_operand(spec: FactSpec, op: Op, operand: Value) -> str | None:
    """Return why ``fact op operand`` is not allowed for ``spec``, or None if it is.

    eq/ne: bool, numeric, enum (an allowed value) or text facts; lt/le/gt/ge:
    numeric facts and numbers; in: enum or text facts and a list of text;
    contains: list facts and one text; intersects: list facts and a list.
    """
    kind = spec.type
    numeric_operand = _is_number(operand)
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
    rules: Sequence[Rule],
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
    floor_problem = floor_parameter_problem(parameter.name, value)
    if floor_problem is not None:
        raise ProtocolError(floor_problem, rule_id=rule_id, field=field)
    for rule in rules:
        for comparison in iter_comparisons(rule.when):
            if comparison.offset_param == parameter.name and not _is_number(value):
                raise ProtocolError(
                    f"parameter {parameter.name}: an offset must be a number; got {value!r}",
                    rule_id=rule_id or rule.id,
                    field=field,
                )
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


def parse_condition(
    raw: object,
    *,
    path: str,
    rule_id: str,
    parameters: Mapping[str, Parameter],
    catalogue: FactCatalogue,
) -> Condition:
    """Return the typed condition ``raw`` at ``path`` of rule ``rule_id``."""
    entry = shape.mapping(raw, field=path, rule_id=rule_id)
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
                parse_condition(
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
            parse_condition(
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
            f"malformed condition: unknown key {extra[0]!r} "
            "(allowed: fact, op, value, param, other_fact, offset_param)",
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
    operands = [key for key in _OPERAND_KEYS if key in entry]
    if "offset_param" in entry and "other_fact" not in entry:
        raise ProtocolError(
            "malformed condition: offset_param needs other_fact", rule_id=rule_id, field=path
        )
    if op in UNARY_OPS:
        if operands:
            raise ProtocolError(f"op {op} takes no value or param", rule_id=rule_id, field=path)
        if op in (Op.IS_TRUE, Op.IS_FALSE) and spec.type is not FactType.BOOL:
            raise ProtocolError(
                f"type mismatch: op {op} needs a bool fact; fact {fact} is {spec.type}",
                rule_id=rule_id,
                field=path,
            )
        return Comparison(fact=fact, op=op)
    if len(operands) != 1:
        raise ProtocolError(
            f"malformed condition: op {op} needs exactly one of 'value' or 'param' "
            "(or 'other_fact')",
            rule_id=rule_id,
            field=path,
        )
    if operands[0] == "other_fact":
        return _fact_comparison(
            entry,
            spec=spec,
            op=op,
            path=path,
            rule_id=rule_id,
            parameters=parameters,
            catalogue=catalogue,
        )
    if operands[0] == "param":
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
    problem = check_operand(spec, op, value)
    if problem is not None:
        raise ProtocolError(f"type mismatch: {problem}", rule_id=rule_id, field=path)
    return Comparison(fact=fact, op=op, value=value)


def _fact_comparison(
    entry: Mapping[str, object],
    *,
    spec: FactSpec,
    op: Op,
    path: str,
    rule_id: str,
    parameters: Mapping[str, Parameter],
    catalogue: FactCatalogue,
) -> Comparison:
    """Return ``fact OP other_fact [+ offset_param]``: numeric facts and an ordering op only."""
    other = entry["other_fact"]
    other_spec = catalogue.get(other) if isinstance(other, str) else None
    if other_spec is None or not isinstance(other, str):
        raise ProtocolError(f"unknown fact {other!r}", rule_id=rule_id, field=f"{path}.other_fact")
    if op not in ORDERING_OPS:
        raise ProtocolError(
            f"type mismatch: other_fact needs lt, le, gt or ge; got op {op}",
            rule_id=rule_id,
            field=path,
        )
    for checked in (spec, other_spec):
        if checked.type not in NUMERIC_TYPES:
            raise ProtocolError(
                f"type mismatch: op {op} needs numeric facts; fact {checked.name} is "
                f"{checked.type}",
                rule_id=rule_id,
                field=path,
            )
    offset = entry.get("offset_param")
    if offset is None:
        return Comparison(fact=spec.name, op=op, other_fact=other)
    parameter = parameters.get(offset) if isinstance(offset, str) else None
    if parameter is None or not isinstance(offset, str):
        raise ProtocolError(
            f"unknown param {offset!r} (declare it under parameters:)",
            rule_id=rule_id,
            field=f"{path}.offset_param",
        )
    if not _is_number(parameter.default):
        raise ProtocolError(
            f"type mismatch: offset parameter {offset} must be a number; got {parameter.default!r}",
            rule_id=rule_id,
            field=path,
        )
    return Comparison(fact=spec.name, op=op, other_fact=other, offset_param=offset)
