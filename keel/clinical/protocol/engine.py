"""Evaluate a protocol against a set of facts.

Pure and deterministic: no clock, no I/O, no randomness. Findings come back
in rule order; evaluating the same protocol, facts and parameters again gives
equal findings (ARCHITECTURE.md, "Decisions carry provenance").

Missing facts follow three-valued logic (``logic.py``): a comparison on a
missing fact (absent, or ``None``) is UNKNOWN, and a rule whose condition is
UNKNOWN yields ``missing_information`` naming the missing facts, never a
silent ``clear``. ``present`` and ``absent`` test for a missing fact and are
never UNKNOWN.

Every comparison in a rule is evaluated (no short-circuit), so
``facts_used`` always lists every fact the rule reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from keel.clinical.protocol.conditions import check_param_override
from keel.clinical.protocol.facts import FactValue, normalise_name, to_decimal
from keel.clinical.protocol.logic import Truth, all_of, any_of, not_
from keel.clinical.protocol.model import (
    ORDERING_OPS,
    AllOf,
    Comparison,
    Condition,
    ExampleExpectation,
    ExampleFailure,
    Finding,
    FindingStatus,
    Not,
    Op,
    Protocol,
    ProtocolError,
    Rule,
    RuleKind,
    Value,
)

_STATUS = {
    Truth.TRUE: FindingStatus.FIRED,
    Truth.FALSE: FindingStatus.CLEAR,
    Truth.UNKNOWN: FindingStatus.MISSING_INFORMATION,
}


def resolve_params(
    protocol: Protocol, overrides: Mapping[str, object] | None = None
) -> Mapping[str, Value]:
    """Return every parameter's value: the protocol default unless overridden.

    Raises :class:`ProtocolError` for an unknown parameter name, a value of
    the wrong type, or a value that does not fit a rule using it (the error
    names that rule). The app layer calls this to validate a clinic's
    parameter values before saving them. Example::

        resolve_params(protocol, {"lithium_level_fail_below": 0.5})
    """
    values: dict[str, Value] = {name: p.default for name, p in protocol.parameters.items()}
    for name, raw in (overrides or {}).items():
        parameter = protocol.parameters.get(name)
        if parameter is None:
            raise ProtocolError(f"unknown parameter {name!r} for protocol {protocol.label}")
        values[name] = check_param_override(
            protocol.rules, parameter, raw, catalogue=protocol.catalogue
        )
    return MappingProxyType(values)


def unset_parameters(
    protocol: Protocol, overrides: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """Return the must-be-set parameters that ``overrides`` leaves at the shipped placeholder.

    REFERENCE.md gives some values as "none (must be set)" (for example
    ``spo2_sustained_seconds``); the protocol ships a fail-safe placeholder and
    marks the parameter ``must_be_set``. The app layer lists these as go-live
    blockers until the clinic's medical director sets each one. Example::

        unset_parameters(protocol, {})  # ("spo2_sustained_seconds",)
    """
    given = set(overrides or {})
    return tuple(
        name
        for name, parameter in protocol.parameters.items()
        if parameter.must_be_set and name not in given
    )


def evaluate(
    protocol: Protocol,
    facts: Mapping[str, object],
    *,
    params: Mapping[str, object] | None = None,
    kinds: Iterable[RuleKind | str] | None = None,
) -> tuple[Finding, ...]:
    """Return one finding per rule (in rule order), optionally only for ``kinds``.

    ``facts`` are validated against the protocol's fact catalogue first
    (``InvalidFactsError``, a ``ValueError``, names the bad fact); ``params``
    override parameter defaults (:func:`resolve_params`). Example::

        findings = evaluate(protocol, {"current_episode": "manic"}, kinds=["exclusion"])
        [f.rule_id for f in findings if f.fired]
    """
    checked = protocol.catalogue.validate(facts)
    values = resolve_params(protocol, params)
    wanted = None if kinds is None else {_kind(kind) for kind in kinds}
    return tuple(
        evaluate_rule(protocol, rule, checked, values)
        for rule in protocol.rules
        if wanted is None or rule.kind in wanted
    )


def evaluate_rule(
    protocol: Protocol,
    rule: Rule,
    facts: Mapping[str, FactValue | None],
    params: Mapping[str, Value],
) -> Finding:
    """Return the finding of one rule on already validated facts and resolved params."""
    trace = _Trace()
    truth, missing = _evaluate(rule.when, facts, params, trace)
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        kind=rule.kind,
        severity=rule.severity,
        overridable=rule.overridable,
        status=_STATUS[truth],
        message=rule.message,
        source=rule.source,
        rationale=rule.rationale,
        facts_used=MappingProxyType(trace.facts),
        missing_facts=missing,
        params_used=MappingProxyType(trace.params),
        protocol_id=protocol.id,
        protocol_version=protocol.version,
    )


def run_examples(protocol: Protocol) -> list[ExampleFailure]:
    """Evaluate every rule's examples, each rule on its own; return the mismatches.

    An empty list means every example gave the outcome it expects.
    """
    failures: list[ExampleFailure] = []
    for rule in protocol.rules:
        for index, example in enumerate(rule.examples):
            params = resolve_params(protocol, example.params)
            finding = evaluate_rule(protocol, rule, example.facts, params)
            got = ExampleExpectation.for_status(finding.status)
            if got is not example.expect:
                failures.append(
                    ExampleFailure(
                        rule_id=rule.id,
                        index=index,
                        expected=example.expect,
                        got=got,
                        missing_facts=finding.missing_facts,
                    )
                )
    return failures


def _kind(kind: RuleKind | str) -> RuleKind:
    try:
        return RuleKind(kind)
    except ValueError:
        allowed = ", ".join(member.value for member in RuleKind)
        raise ValueError(f"unknown rule kind {kind!r} (allowed: {allowed})") from None


@dataclass
class _Trace:
    """Facts and parameters read while evaluating one rule, in first-use order."""

    facts: dict[str, FactValue | None] = field(default_factory=dict)
    params: dict[str, Value] = field(default_factory=dict)


def _evaluate(
    condition: Condition,
    facts: Mapping[str, FactValue | None],
    params: Mapping[str, Value],
    trace: _Trace,
) -> tuple[Truth, tuple[str, ...]]:
    """Return the truth of ``condition`` and, if UNKNOWN, the missing facts that left it open."""
    if isinstance(condition, Comparison):
        return _compare(condition, facts, params, trace)
    if isinstance(condition, Not):
        truth, missing = _evaluate(condition.condition, facts, params, trace)
        return not_(truth), missing
    results = [_evaluate(part, facts, params, trace) for part in condition.conditions]
    combine = all_of if isinstance(condition, AllOf) else any_of
    truth = combine(result for result, _ in results)
    if truth is not Truth.UNKNOWN:
        return truth, ()
    open_facts = dict.fromkeys(
        name for result, names in results if result is Truth.UNKNOWN for name in names
    )
    return truth, tuple(open_facts)


def _compare(
    comparison: Comparison,
    facts: Mapping[str, FactValue | None],
    params: Mapping[str, Value],
    trace: _Trace,
) -> tuple[Truth, tuple[str, ...]]:
    value = facts.get(comparison.fact)
    trace.facts.setdefault(comparison.fact, value)
    op = comparison.op
    if op is Op.PRESENT:
        return Truth.of(value is not None), ()
    if op is Op.ABSENT:
        return Truth.of(value is None), ()
    if comparison.other_fact is not None:
        return _compare_facts(comparison, value, facts, params, trace)
    operand: Value | None = comparison.value
    if comparison.param is not None:
        operand = params[comparison.param]
        trace.params.setdefault(comparison.param, operand)
    if value is None:
        return Truth.UNKNOWN, (comparison.fact,)
    return Truth.of(_holds(op, value, operand)), ()


def _compare_facts(
    comparison: Comparison,
    value: FactValue | None,
    facts: Mapping[str, FactValue | None],
    params: Mapping[str, Value],
    trace: _Trace,
) -> tuple[Truth, tuple[str, ...]]:
    """Return ``fact OP other_fact [+ offset_param]`` (numeric facts, ordering ops)."""
    other_name = comparison.other_fact
    if other_name is None:  # pragma: no cover - the caller checks
        raise ProtocolError("comparison has no other_fact")
    other = facts.get(other_name)
    trace.facts.setdefault(other_name, other)
    offset = Decimal(0)
    if comparison.offset_param is not None:
        raw = params[comparison.offset_param]
        trace.params.setdefault(comparison.offset_param, raw)
        offset = _number(raw)
    missing = tuple(
        name for name, current in ((comparison.fact, value), (other_name, other)) if current is None
    )
    if value is None or other is None:
        return Truth.UNKNOWN, missing
    return Truth.of(_holds(comparison.op, value, _number(other) + offset)), ()


def _holds(op: Op, value: FactValue, operand: Value | None) -> bool:
    """Return whether ``value op operand`` holds (types were checked at parse time)."""
    if op is Op.IS_TRUE:
        return value is True
    if op is Op.IS_FALSE:
        return value is False
    if op in (Op.EQ, Op.NE):
        return _equal(value, operand) is (op is Op.EQ)
    if op in ORDERING_OPS:
        left, right = _number(value), _number(operand)
        if op is Op.LT:
            return left < right
        if op is Op.LE:
            return left <= right
        if op is Op.GT:
            return left > right
        return left >= right
    if op is Op.IN:
        return isinstance(operand, tuple) and value in operand
    # List facts hold normalised names (validate_facts); normalise the operand the same way.
    if op is Op.CONTAINS:
        return (
            isinstance(value, tuple)
            and isinstance(operand, str)
            and (normalise_name(operand) in value)
        )
    if op is Op.INTERSECTS:
        return (
            isinstance(value, tuple)
            and isinstance(operand, tuple)
            and not set(value).isdisjoint(normalise_name(item) for item in operand)
        )
    raise ProtocolError(f"op {op} has no evaluator")  # pragma: no cover - Op is exhaustive


def _equal(value: FactValue, operand: Value | None) -> bool:
    left, right = to_decimal(value), to_decimal(operand)
    if left is not None and right is not None:
        return left == right
    if isinstance(value, bool) or isinstance(operand, bool):
        return type(value) is type(operand) and value == operand
    return value == operand


def _number(value: object) -> Decimal:
    number = to_decimal(value)
    if number is None:  # pragma: no cover - parse-time type check guarantees a number
        raise ProtocolError(f"{value!r} is not a number")
    return number
