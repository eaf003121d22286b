"""Parse and validate a protocol file's text into a :class:`Protocol`.

No file I/O: the caller reads the file (ARCHITECTURE.md, "Protocol files").
YAML is read with a safe loader only (libyaml's when available); a separate ``yaml.compose`` pass
(no object construction) rejects duplicate mapping keys, which YAML would
otherwise resolve silently by keeping the last one (a second
``overridable:`` line must never win unnoticed).

Every problem raises :class:`ProtocolError` naming the rule id and field,
for example ``rule eligibility.age.below_adult: when.fact: unknown fact 'agee_years'``.
Conditions are parsed into typed objects and type-checked against the fact
catalogue; nothing is ever evaluated as code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, TypeVar

import yaml

from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol import _shape as shape
from keel.clinical.protocol.conditions import check_param_override, parse_condition
from keel.clinical.protocol.facts import (
    FACT_CATALOGUE,
    FactCatalogue,
    InvalidFactsError,
)
from keel.clinical.protocol.floors import floor_parameter_problem
from keel.clinical.protocol.model import (
    AckUnit,
    AlertCategory,
    AlertEvidence,
    AlertLevel,
    AlertPriority,
    AlertSpec,
    ExampleExpectation,
    Parameter,
    ParamType,
    Protocol,
    ProtocolError,
    Rule,
    RuleExample,
    RuleKind,
    Severity,
    Value,
    coerce_value,
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
_PARAM_OPTIONAL: Final = ("description", "must_be_set")
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
_RULE_OPTIONAL: Final = ("overridable", "alert")
_ALERT_REQUIRED: Final = ("category", "priority", "notify_psychiatrist", "show_crisis")
_ALERT_ACK_KEYS: Final = {
    "ack_minutes_param": AckUnit.MINUTES,
    "ack_hours_param": AckUnit.HOURS,
    "ack_business_days_param": AckUnit.BUSINESS_DAYS,
}
_ALERT_OPTIONAL: Final = ("level", "hold", "response_param", "evidence", *_ALERT_ACK_KEYS)
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
    shape.reject_duplicate_keys(text)
    try:
        data = yaml.load(text, Loader=shape.SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}") from exc
    header = shape.mapping(data, field="protocol")
    shape.check_keys(header, _HEADER_REQUIRED, _HEADER_OPTIONAL, field="protocol")
    protocol_id = shape.text(header["id"], field="id")
    if _PROTOCOL_ID.fullmatch(protocol_id) is None:
        raise ProtocolError(
            f"{protocol_id!r} must be lower case letters, digits, '.', '_' or '-'", field="id"
        )
    review_status = shape.review_status(header["review_status"])
    reviewed_by = shape.optional_text(header.get("reviewed_by"), field="reviewed_by")
    reviewed_on = shape.optional_date(header.get("reviewed_on"), field="reviewed_on")
    if review_status is ReviewStatus.REVIEWED and (reviewed_by is None or reviewed_on is None):
        raise ProtocolError(
            "a reviewed protocol names reviewed_by and reviewed_on", field="review_status"
        )
    parameters = _parameters(header["parameters"])
    rules = _rules(header["rules"], parameters, catalogue)
    return Protocol(
        id=protocol_id,
        version=shape.version(header["version"]),
        effective_from=shape.as_date(header["effective_from"], field="effective_from"),
        review_status=review_status,
        title=shape.text(header["title"], field="title"),
        parameters=parameters,
        rules=rules,
        description=shape.optional_text(header.get("description"), field="description") or "",
        reviewed_by=reviewed_by,
        reviewed_on=reviewed_on,
        catalogue=catalogue,
    )


# ---------------------------------------------------------------- parameters


def _parameters(raw: object) -> Mapping[str, Parameter]:
    if raw is None:
        return MappingProxyType({})
    entries = shape.mapping(raw, field="parameters")
    parameters: dict[str, Parameter] = {}
    for name, entry_raw in entries.items():
        where = f"parameters.{name}"
        if _PARAM_NAME.fullmatch(name) is None:
            raise ProtocolError("name must be lower snake case", field=where)
        entry = shape.mapping(entry_raw, field=where)
        shape.check_keys(entry, _PARAM_REQUIRED, _PARAM_OPTIONAL, field=where)
        default = coerce_value(entry["default"])
        if default is None:
            raise ProtocolError(
                f"default {entry['default']!r} is not a number, true/false, text or list of text",
                field=f"{where}.default",
            )
        floor_problem = floor_parameter_problem(name, default)
        if floor_problem is not None:
            raise ProtocolError(floor_problem, field=f"{where}.default")
        convention = entry["convention"]
        if not isinstance(convention, bool):
            raise ProtocolError("must be true or false", field=f"{where}.convention")
        unit = entry["unit"]
        if not isinstance(unit, str):
            raise ProtocolError("must be text", field=f"{where}.unit")
        must_be_set = entry.get("must_be_set", False)
        if not isinstance(must_be_set, bool):
            raise ProtocolError("must be true or false", field=f"{where}.must_be_set")
        parameters[name] = Parameter(
            name=name,
            default=default,
            unit=unit.strip(),
            basis=shape.text(entry["basis"], field=f"{where}.basis"),
            convention=convention,
            description=shape.optional_text(entry.get("description"), field=f"{where}.description")
            or "",
            must_be_set=must_be_set,
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
    entry = shape.mapping(raw, field=f"rules[{index}]")
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
    shape.check_keys(entry, _RULE_REQUIRED, _RULE_OPTIONAL, field=None, rule_id=rule_id)
    kind = _choice(RuleKind, entry["kind"], rule_id=rule_id, field="kind")
    severity = _choice(Severity, entry["severity"], rule_id=rule_id, field="severity")
    overridable = entry.get("overridable", True)
    if not isinstance(overridable, bool):
        raise ProtocolError("must be true or false", rule_id=rule_id, field="overridable")
    when = parse_condition(
        entry["when"], path="when", rule_id=rule_id, parameters=parameters, catalogue=catalogue
    )
    alert = _alert(entry.get("alert"), kind, rule_id, parameters)
    rule = Rule(
        id=rule_id,
        title=shape.text(entry["title"], rule_id=rule_id, field="title"),
        kind=kind,
        when=when,
        severity=severity,
        message=shape.text(entry["message"], rule_id=rule_id, field="message"),
        source=shape.text(entry["source"], rule_id=rule_id, field="source"),
        rationale=shape.text(entry["rationale"], rule_id=rule_id, field="rationale"),
        examples=(),
        overridable=overridable,
        alert=alert,
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
        alert=rule.alert,
    )


_E = TypeVar(
    "_E",
    RuleKind,
    Severity,
    ExampleExpectation,
    AlertCategory,
    AlertPriority,
    AlertLevel,
    AlertEvidence,
)


def _choice(enum: type[_E], raw: object, *, rule_id: str, field: str) -> _E:
    try:
        return enum(str(raw))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ProtocolError(
            f"{raw!r} is not one of {allowed}", rule_id=rule_id, field=field
        ) from None


# ---------------------------------------------------------------- alert metadata


def _alert(
    raw: object, kind: RuleKind, rule_id: str, parameters: Mapping[str, Parameter]
) -> AlertSpec | None:
    """Return the ``alert:`` mapping of an alert rule (required there, refused elsewhere)."""
    if kind is not RuleKind.ALERT:
        if raw is not None:
            raise ProtocolError(
                f"only a rule of kind alert has alert metadata (this rule is {kind.value})",
                rule_id=rule_id,
                field="alert",
            )
        return None
    if raw is None:
        raise ProtocolError(
            "a rule of kind alert needs an 'alert' mapping (category, priority, level, hold, "
            "notify_psychiatrist, show_crisis and one ack_*_param)",
            rule_id=rule_id,
            field="alert",
        )
    entry = shape.mapping(raw, field="alert", rule_id=rule_id)
    shape.check_keys(entry, _ALERT_REQUIRED, _ALERT_OPTIONAL, field="alert", rule_id=rule_id)
    category = _choice(AlertCategory, entry["category"], rule_id=rule_id, field="alert.category")
    priority = _choice(AlertPriority, entry["priority"], rule_id=rule_id, field="alert.priority")
    level = _choice(AlertLevel, entry.get("level", ""), rule_id=rule_id, field="alert.level")
    hold = _choice(AlertLevel, entry.get("hold", ""), rule_id=rule_id, field="alert.hold")
    evidence = _choice(
        AlertEvidence, entry.get("evidence", "trigger"), rule_id=rule_id, field="alert.evidence"
    )
    if (category is AlertCategory.MOOD_ELEVATION) is (level is AlertLevel.NONE):
        raise ProtocolError(
            "a mood_elevation alert has level amber or red; other categories have no level",
            rule_id=rule_id,
            field="alert.level",
        )
    flags = {}
    for key in ("notify_psychiatrist", "show_crisis"):
        value = entry[key]
        if not isinstance(value, bool):
            raise ProtocolError("must be true or false", rule_id=rule_id, field=f"alert.{key}")
        flags[key] = value
    ack_keys = [key for key in _ALERT_ACK_KEYS if key in entry]
    if len(ack_keys) != 1:
        raise ProtocolError(
            "needs exactly one of " + ", ".join(_ALERT_ACK_KEYS),
            rule_id=rule_id,
            field="alert",
        )
    ack_key = ack_keys[0]
    ack_param = _alert_param(entry[ack_key], parameters, rule_id, f"alert.{ack_key}")
    if parameters[ack_param].type is not ParamType.INTEGER:
        raise ProtocolError(
            f"parameter {ack_param} must be an integer", rule_id=rule_id, field=f"alert.{ack_key}"
        )
    response = entry.get("response_param")
    return AlertSpec(
        category=category,
        priority=priority,
        level=level,
        hold=hold,
        notify_psychiatrist=flags["notify_psychiatrist"],
        show_crisis=flags["show_crisis"],
        ack_param=ack_param,
        ack_unit=_ALERT_ACK_KEYS[ack_key],
        response_param=None
        if response is None
        else _alert_param(response, parameters, rule_id, "alert.response_param"),
        evidence=evidence,
    )


def _alert_param(raw: object, parameters: Mapping[str, Parameter], rule_id: str, field: str) -> str:
    if not isinstance(raw, str) or raw not in parameters:
        raise ProtocolError(
            f"unknown param {raw!r} (declare it under parameters:)", rule_id=rule_id, field=field
        )
    return raw


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
    entry = shape.mapping(raw, field=where, rule_id=rule.id)
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
    facts_entry = shape.mapping(
        {} if raw_facts is None else raw_facts, field=f"{where}.facts", rule_id=rule.id
    )
    try:
        facts = catalogue.validate(facts_entry)
    except InvalidFactsError as exc:
        raise ProtocolError(str(exc), rule_id=rule.id, field=f"{where}.facts") from None
    overrides: dict[str, Value] = {}
    raw_params = entry.get("params")
    if raw_params is not None:
        for name, value in shape.mapping(
            raw_params, field=f"{where}.params", rule_id=rule.id
        ).items():
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
