"""Typed model of a clinical protocol: parameters, rules, conditions, findings.

Everything is a frozen dataclass or a ``StrEnum`` (so a kind, severity or
status compares equal to its text). ``parse.load_protocol`` builds these
objects from a protocol file's text; ``engine.evaluate`` turns a protocol
and a set of facts into :class:`Finding` objects.

Severity scale (a rule picks one; the UI orders and colours findings by it):

- ``critical``: a hard stop or an emergency; used only on rules that cannot
  be overridden (elevated mood episode, crisis routing, absolute
  contraindications, program scope; before a session the BP re-check and
  hard hold, a red mood alert, intoxication; emergency stop rules; the
  SpO2, esketamine-observation and escort discharge criteria).
- ``high``: an exclusion or an unmet requirement; blocks eligibility (or,
  for a ``precheck`` rule, is a no-go; for a ``discharge`` rule, an unmet
  criterion) until resolved or overridden by a physician with a documented
  reason.
- ``moderate``: a caution that needs a documented prescriber decision or a
  change to the plan (closer monitoring, a level re-check); a ``precheck``
  finding of this severity means "needs physician".
- ``low``: a caution to note and monitor.
- ``info``: context shown with the record (for example a switch-risk
  modifier); no action required.

``keel.clinical.sessions`` maps pre-check severities to go / needs
physician / no-go and orders stop actions by severity.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from keel.clinical.instruments import ReviewStatus
from keel.clinical.protocol.facts import (
    FACT_CATALOGUE,
    FactCatalogue,
    FactValue,
    to_decimal,
)

Value = FactValue
"""A literal or parameter value: bool, int, Decimal, text or a tuple of text."""


class ProtocolError(ValueError):
    """A protocol file, a parameter override or an example is unusable.

    The message names the rule (``rule <id>``) and the field where there is
    one; :attr:`rule_id` and :attr:`field` carry the same for callers.
    """

    def __init__(self, message: str, *, rule_id: str | None = None, field: str | None = None):
        """Store the message and where the problem is."""
        prefix = ""
        if rule_id is not None:
            prefix = f"rule {rule_id}: "
            if field is not None:
                prefix += f"{field}: "
        elif field is not None:
            prefix = f"{field}: "
        super().__init__(prefix + message)
        self.rule_id = rule_id
        self.field = field


class RuleKind(StrEnum):
    """What a rule is about; the app layer routes findings by kind."""

    EXCLUSION = "exclusion"
    CAUTION = "caution"
    REQUIREMENT = "requirement"
    PRECHECK = "precheck"
    ALERT = "alert"
    STOP = "stop"
    DISCHARGE = "discharge"


class Severity(StrEnum):
    """How prominent a finding is (see the module docstring for the scale)."""

    INFO = "info"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Return 0 (info) to 4 (critical), for sorting."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER: Final = (
    Severity.INFO,
    Severity.LOW,
    Severity.MODERATE,
    Severity.HIGH,
    Severity.CRITICAL,
)


class FindingStatus(StrEnum):
    """The outcome of one rule on one set of facts."""

    FIRED = "fired"
    CLEAR = "clear"
    MISSING_INFORMATION = "missing_information"


class ExampleExpectation(StrEnum):
    """What a rule example says the rule does."""

    FIRES = "fires"
    DOES_NOT_FIRE = "does_not_fire"
    MISSING = "missing"

    @classmethod
    def for_status(cls, status: FindingStatus) -> ExampleExpectation:
        """Return the expectation that a finding status satisfies."""
        return _EXPECTATION_BY_STATUS[status]


_EXPECTATION_BY_STATUS: Final = {
    FindingStatus.FIRED: ExampleExpectation.FIRES,
    FindingStatus.CLEAR: ExampleExpectation.DOES_NOT_FIRE,
    FindingStatus.MISSING_INFORMATION: ExampleExpectation.MISSING,
}


class Op(StrEnum):
    """Comparison operators of the condition vocabulary."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    CONTAINS = "contains"
    INTERSECTS = "intersects"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"
    PRESENT = "present"
    ABSENT = "absent"


UNARY_OPS: Final = frozenset({Op.IS_TRUE, Op.IS_FALSE, Op.PRESENT, Op.ABSENT})
"""Operators that take no value or parameter."""

ORDERING_OPS: Final = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})
"""Operators that order numbers."""

PRESENCE_OPS: Final = frozenset({Op.PRESENT, Op.ABSENT})
"""Operators that test for a missing fact and so are never UNKNOWN."""


class ParamType(StrEnum):
    """The type of a parameter, taken from its default value."""

    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    TEXT = "text"
    LIST_OF_TEXT = "list_of_text"

    @classmethod
    def of(cls, value: Value) -> ParamType:
        """Return the parameter type of a (coerced) value."""
        if isinstance(value, bool):
            return cls.BOOLEAN
        if isinstance(value, int):
            return cls.INTEGER
        if isinstance(value, Decimal):
            return cls.NUMBER
        if isinstance(value, str):
            return cls.TEXT
        return cls.LIST_OF_TEXT


def coerce_value(raw: object) -> Value | None:
    """Return a YAML scalar or list of text as a :data:`Value`, or None if unusable.

    Floats become ``Decimal`` through their shortest repr; lists of text
    become tuples (items are not normalised here).
    """
    if isinstance(raw, bool | str):
        return raw
    if isinstance(raw, int):
        return int(raw)
    if isinstance(raw, float | Decimal):
        return to_decimal(raw)
    if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
        return tuple(str(item) for item in raw)
    return None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named, tunable value a rule compares with (REFERENCE.md section 10).

    ``convention`` is True where REFERENCE.md calls the value a project
    convention or UNCONFIRMED, so the UI can show it as a convention, not as
    an official cut-off. ``must_be_set`` is True where REFERENCE.md gives no
    default ("none (must be set)"): the shipped ``default`` is then only a
    fail-safe placeholder, and the clinic must set its own value before
    go-live (see ``engine.unset_parameters``).
    """

    name: str
    default: Value
    unit: str
    basis: str
    convention: bool
    description: str = ""
    must_be_set: bool = False

    @property
    def type(self) -> ParamType:
        """Return the type every value of this parameter must have."""
        return ParamType.of(self.default)

    def coerce(self, raw: object, *, rule_id: str | None = None, field: str | None = None) -> Value:
        """Return ``raw`` checked against :attr:`type`.

        ``integer`` takes ``int`` (never ``bool``); ``number`` takes ``int``,
        ``float`` or ``Decimal`` and returns ``Decimal``; ``list_of_text``
        takes a list or tuple of ``str``. Raises :class:`ProtocolError`.
        """
        value = coerce_value(raw)
        expected = self.type
        if expected is ParamType.NUMBER and isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if value is None or ParamType.of(value) is not expected:
            raise ProtocolError(
                f"parameter {self.name}: expected {expected.value}, "
                f"got {type(raw).__name__} {raw!r}",
                rule_id=rule_id,
                field=field,
            )
        return value


@dataclass(frozen=True, slots=True)
class Comparison:
    """``fact OP operand``; the operand is a literal, a parameter or another fact.

    The operand is a literal ``value``, a ``param`` name, or ``other_fact``
    (the name of a second numeric fact, for example a pre-dose baseline),
    optionally plus the numeric parameter ``offset_param``:
    ``latest_spo2 lt predose_spo2 + discharge_spo2_min``.
    """

    fact: str
    op: Op
    value: Value | None = None
    param: str | None = None
    other_fact: str | None = None
    offset_param: str | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        """Return the facts this comparison reads: ``fact``, then ``other_fact``."""
        return (self.fact,) if self.other_fact is None else (self.fact, self.other_fact)

    @property
    def params(self) -> tuple[str, ...]:
        """Return the parameters this comparison uses: ``param`` or ``offset_param``."""
        return tuple(name for name in (self.param, self.offset_param) if name is not None)


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every part is true (three-valued, see ``logic.py``)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one part is true (three-valued)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The negation of one condition (three-valued)."""

    condition: Condition


Condition = Comparison | AllOf | AnyOf | Not
"""A parsed ``when:`` condition."""


def iter_comparisons(condition: Condition) -> Iterator[Comparison]:
    """Yield every comparison in ``condition``, in file order."""
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, Not):
        yield from iter_comparisons(condition.condition)
    else:
        for part in condition.conditions:
            yield from iter_comparisons(part)


@dataclass(frozen=True, slots=True)
class RuleExample:
    """A worked example: facts (and optional parameter overrides) and the expected outcome."""

    facts: Mapping[str, FactValue | None]
    expect: ExampleExpectation
    params: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    note: str = ""


class AlertCategory(StrEnum):
    """What an alert is about (the alerts app groups and routes by it)."""

    SUICIDALITY = "suicidality"
    MOOD_ELEVATION = "mood_elevation"
    WORSENING_DEPRESSION = "worsening_depression"
    MISSED_CHECK_IN = "missed_check_in"
    NON_RESPONSE = "non_response"


class AlertPriority(StrEnum):
    """Urgent alerts escalate along the on-call rota when not acknowledged in time."""

    URGENT = "urgent"
    ROUTINE = "routine"


class AlertLevel(StrEnum):
    """Mood-elevation level (REFERENCE.md §5.2); also what an alert holds. Empty: none."""

    NONE = ""
    AMBER = "amber"
    RED = "red"


class AckUnit(StrEnum):
    """The unit of an alert's response-time parameter."""

    MINUTES = "minutes"
    HOURS = "hours"
    BUSINESS_DAYS = "business_days"


class AlertEvidence(StrEnum):
    """Which data an alert's evidence key names (``keel.clinical.alerts``).

    - ``trigger``: the triggering record's ref;
    - ``diary_mood_streak`` / ``diary_amber_streak``: the first date of the
      run of diary days that fired it;
    - ``rating_persistence``: the first rating of the persistent run;
    - ``asrm_window``: the ASRM rating read with the short-sleep nights;
    - ``mixed_features``: the rating that gave the suicide signal;
    - ``diary_gap``: the first day of the run of missed diaries;
    - ``scale_overdue``: the overdue assignment's instrument and due day;
    - ``end_of_induction``: the end-of-induction MADRS rating.
    """

    TRIGGER = "trigger"
    DIARY_MOOD_STREAK = "diary_mood_streak"
    DIARY_AMBER_STREAK = "diary_amber_streak"
    RATING_PERSISTENCE = "rating_persistence"
    ASRM_WINDOW = "asrm_window"
    MIXED_FEATURES = "mixed_features"
    DIARY_GAP = "diary_gap"
    SCALE_OVERDUE = "scale_overdue"
    END_OF_INDUCTION = "end_of_induction"


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """What an alert rule raises: category, priority, level, hold, who is told, how fast.

    ``ack_param`` names the integer parameter that sets the time to
    acknowledge, in ``ack_unit``; ``response_param`` optionally names the
    REFERENCE.md §7 response target shown with the alert (for example
    ``suicide_tier2_response_calendar_days``). Required on every rule of
    kind ``alert`` and refused on any other kind.
    """

    category: AlertCategory
    priority: AlertPriority
    level: AlertLevel
    hold: AlertLevel
    notify_psychiatrist: bool
    show_crisis: bool
    ack_param: str
    ack_unit: AckUnit
    response_param: str | None = None
    evidence: AlertEvidence = AlertEvidence.TRIGGER

    @property
    def parameters(self) -> tuple[str, ...]:
        """Return the parameters the alert metadata names."""
        names = (self.ack_param, self.response_param)
        return tuple(name for name in names if name is not None)


@dataclass(frozen=True, slots=True)
class Rule:
    """One protocol rule; see docs/clinical/protocol.md for each field."""

    id: str
    title: str
    kind: RuleKind
    when: Condition
    severity: Severity
    message: str
    source: str
    rationale: str
    examples: tuple[RuleExample, ...]
    overridable: bool = True
    alert: AlertSpec | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        """Return the facts the condition reads, in first-use order."""
        return tuple(dict.fromkeys(name for c in iter_comparisons(self.when) for name in c.facts))

    @property
    def parameters(self) -> tuple[str, ...]:
        """Return the parameters the condition uses, in first-use order."""
        return tuple(dict.fromkeys(name for c in iter_comparisons(self.when) for name in c.params))


@dataclass(frozen=True, slots=True)
class Protocol:
    """A versioned protocol: header, parameters and rules, in file order."""

    id: str
    version: str
    effective_from: date
    review_status: ReviewStatus
    title: str
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]
    description: str = ""
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    catalogue: FactCatalogue = field(default=FACT_CATALOGUE, repr=False, compare=False)

    @property
    def label(self) -> str:
        """Return ``"<id> v<version>"``, e.g. ``"keel-default v1"``."""
        return f"{self.id} v{self.version}"

    @property
    def example_count(self) -> int:
        """Return the number of rule examples in the protocol."""
        return sum(len(rule.examples) for rule in self.rules)

    def rule(self, rule_id: str) -> Rule:
        """Return the rule ``rule_id``; raises ``KeyError`` if there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule said about one set of facts, with its provenance.

    ``facts_used`` holds every fact the rule's condition reads, with the
    value actually read (``None`` when missing); ``missing_facts`` names the
    missing facts that left the answer open (empty unless the status is
    ``missing_information``); ``params_used`` holds the resolved value of
    every parameter the condition uses. With ``protocol_id`` and
    ``protocol_version`` this is what an eligibility decision, go/no-go or
    alert stores (ARCHITECTURE.md, "Decisions carry provenance").
    """

    rule_id: str
    title: str
    kind: RuleKind
    severity: Severity
    overridable: bool
    status: FindingStatus
    message: str
    source: str
    rationale: str
    facts_used: Mapping[str, FactValue | None]
    missing_facts: tuple[str, ...]
    params_used: Mapping[str, Value]
    protocol_id: str
    protocol_version: str

    @property
    def fired(self) -> bool:
        """Return True when the rule's condition held."""
        return self.status is FindingStatus.FIRED


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """A rule example whose outcome differs from what it expects."""

    rule_id: str
    index: int
    expected: ExampleExpectation
    got: ExampleExpectation
    missing_facts: tuple[str, ...] = ()

    def __str__(self) -> str:
        """Return e.g. ``rule x.y: examples[1]: expected fires, got does_not_fire``."""
        text = (
            f"rule {self.rule_id}: examples[{self.index}]: "
            f"expected {self.expected.value}, got {self.got.value}"
        )
        if self.missing_facts:
            text += f" (missing: {', '.join(self.missing_facts)})"
        return text
