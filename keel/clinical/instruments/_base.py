"""Shared frozen types and scoring machinery for Keel's rating instruments.

Everything here is plain data: items, bands, scores and provenance are frozen
dataclasses, labels are ``StrEnum`` members (so they compare equal to their
text), and a summed scale is described as data (:class:`ScaleInstrument`)
rather than as a class per scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, Protocol

from keel.clinical.params import (
    PARAMETERS,
    InvalidParameterError,
    ParamName,
    ParamSpec,
    ParamValue,
    ParamValues,
    resolve_params,
)

LAST_CHECKED: Final = date(2026, 11, 26)
"""Date every instrument module was last checked against REFERENCE.md."""


class InvalidAnswers(ValueError):  # noqa: N818, RUF100 - name fixed by the API contract
    """Raised when a set of answers or a diary entry cannot be accepted."""


class Rater(StrEnum):
    """Who completes the instrument."""

    PATIENT = "patient"
    CLINICIAN = "clinician"


class ReviewStatus(StrEnum):
    """Clinical review status of a definition (STYLE.md section 7)."""

    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"


class Flag(StrEnum):
    """Flags attached to a score; the protocol engine acts on them."""

    SUICIDAL_IDEATION = "suicidal_ideation"
    SUICIDAL_IDEATION_TIER2 = "suicidal_ideation_tier2"
    SUICIDAL_IDEATION_TIER3 = "suicidal_ideation_tier3"
    SUICIDE_ITEM_UNANSWERED = "suicide_item_unanswered"
    CSSRS_BEHAVIOUR = "cssrs_behaviour"
    CSSRS_FOLLOWUP_MISSING = "cssrs_followup_missing"
    CSSRS_INCOMPLETE = "cssrs_incomplete"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A short label, in Keel's own words, for one answer value of an item."""

    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Item:
    """One item: 1-based number, key, own-words label and range."""

    number: int
    key: str
    label: str
    min: int
    max: int
    loinc: str | None = None
    anchors: tuple[Anchor, ...] = ()

    @property
    def range_text(self) -> str:
        """Return the allowed range as text, e.g. ``"0-3"``."""
        return f"{self.min}-{self.max}"

    def describe(self) -> str:
        """Return ``"item N (label)"`` for messages."""
        return f"item {self.number} ({self.label})"


@dataclass(frozen=True, slots=True)
class Band:
    """A band: ``low <= total <= high`` (inclusive) gets ``label``."""

    low: int
    high: int
    label: StrEnum

    def contains(self, total: int) -> bool:
        """Return True when ``total`` lies inside this band."""
        return self.low <= total <= self.high


@dataclass(frozen=True, slots=True)
class Domain:
    """Items scored together; the domain contributes its highest item."""

    key: str
    label: str
    items: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """The result of scoring one form.

    ``total`` is None when any item is unanswered (and always for the
    C-SSRS); ``band`` is None when there is no total or no band table;
    ``flags`` are evaluated even on incomplete forms.
    """

    instrument_id: str
    version: str
    total: int | None
    band: StrEnum | None
    complete: bool
    flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an instrument definition comes from and who has reviewed it."""

    citation: str
    licence_note: str
    scoring_source: str
    review_status: ReviewStatus = ReviewStatus.UNREVIEWED
    last_checked: date = LAST_CHECKED
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    safety_rule_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Instrument(Protocol):
    """What the app layer and the protocol engine may rely on."""

    @property
    def id(self) -> str:
        """Registry id, e.g. "phq9"."""

    @property
    def version(self) -> str:
        """Keel's scoring version of this instrument."""

    @property
    def form_version(self) -> str:
        """Id of the official form/variant the answers belong to."""

    @property
    def title(self) -> str:
        """Display name of the instrument."""

    @property
    def rater(self) -> Rater:
        """Who completes it: patient or clinician."""

    @property
    def items(self) -> tuple[Item, ...]:
        """Items in official order."""

    @property
    def total_min(self) -> int | None:
        """Lowest possible total (None: no total)."""

    @property
    def total_max(self) -> int | None:
        """Highest possible total (None: no total)."""

    @property
    def bands(self) -> tuple[Band, ...]:
        """Band table, lowest first (empty: no bands)."""

    @property
    def loinc_panel(self) -> str | None:
        """LOINC panel code where REFERENCE.md gives one."""

    @property
    def loinc_total(self) -> str | None:
        """LOINC total-score code where REFERENCE.md gives one."""

    @property
    def provenance(self) -> Provenance:
        """Source, licence note and review status."""

    @property
    def params(self) -> tuple[ParamSpec, ...]:
        """Section 10 parameters this instrument accepts."""

    def score(
        self,
        answers: Sequence[int | None],
        params: Mapping[str, ParamValue] | None = None,
    ) -> Score:
        """Score one form: one answer (int or None) per item, in item order."""
        ...


def param_spec(name: ParamName) -> ParamSpec:
    """Return the declared default for ``name``."""
    return PARAMETERS[name.value]


def check_answer(item: Item, value: object) -> int | None:
    """Return ``value`` as an int answer for ``item``, or None if unanswered.

    Raises :class:`InvalidAnswers` for bool, float, str or any non-int and
    for values outside the item's range; values are never clamped.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswers(
            f"{item.describe()}: {type(value).__name__} {value!r} is not an integer "
            f"score; the allowed range is {item.range_text} (or None if unanswered)"
        )
    if not item.min <= value <= item.max:
        raise InvalidAnswers(
            f"{item.describe()}: {value} is outside the allowed range {item.range_text}"
        )
    return int(value)


def answers_json_schema(items: Sequence[Item]) -> dict[str, object]:
    """The JSON Schema (2020-12) of the answers :func:`check_answers` accepts for ``items``.

    One entry per item, in item order: an integer in the item's range, or null when
    unanswered. The API documents each instrument's answers with it.
    """
    return {
        "type": "array",
        "minItems": len(items),
        "maxItems": len(items),
        "prefixItems": [
            {
                "anyOf": [
                    {"type": "integer", "minimum": item.min, "maximum": item.max},
                    {"type": "null"},
                ],
                "title": f"{item.number}. {item.label}",
            }
            for item in items
        ],
        "items": False,
    }


def check_answers(
    instrument_id: str, items: Sequence[Item], answers: Sequence[int | None]
) -> tuple[int | None, ...]:
    """Validate one answer per item, in item order; return them as a tuple."""
    raw: object = answers
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise InvalidAnswers(
            f"{instrument_id}: answers must be a sequence with one entry per item, "
            f"got {type(raw).__name__}"
        )
    if len(answers) != len(items):
        raise InvalidAnswers(
            f"{instrument_id}: expected {len(items)} answers (one per item, in item order), "
            f"got {len(answers)}"
        )
    return tuple(check_answer(item, value) for item, value in zip(items, answers, strict=True))


def check_threshold(name: ParamName, value: int, low: int, high: int) -> None:
    """Raise :class:`InvalidParameterError` unless ``low <= value <= high``."""
    if not low <= value <= high:
        raise InvalidParameterError(
            f"parameter {name}: {value} is outside the allowed range {low}-{high}"
        )


def frozen_flags(flags: Iterable[Flag]) -> frozenset[str]:
    """Return ``flags`` as the frozenset of strings a Score carries."""
    return frozenset(flag.value for flag in flags)


@dataclass(frozen=True, slots=True)
class SuicideTier:
    """A suicide-item tier: fires when the item >= the parameter."""

    param: ParamName
    flag: Flag
    rule_id: str


@dataclass(frozen=True, slots=True)
class SuicideItemRule:
    """A suicide item evaluated independently of the total (REFERENCE.md §7).

    Tiers are listed lowest first; an answer at tier k carries the flags of
    tiers 1..k. An unanswered item carries ``suicide_item_unanswered``.
    """

    item_number: int
    tiers: tuple[SuicideTier, ...]
    unanswered_rule_id: str

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Return the protocol rule ids that act on this item's flags."""
        return (*(tier.rule_id for tier in self.tiers), self.unanswered_rule_id)

    def check_params(self, item: Item, values: ParamValues) -> None:
        """Raise unless every threshold is within 1..item max and ascending."""
        previous = item.min + 1
        for tier in self.tiers:
            threshold = values.integer(tier.param)
            # A threshold of the item minimum would flag every answer, one above
            # the maximum would disable the trigger: both are rejected.
            check_threshold(tier.param, threshold, item.min + 1, item.max)
            if threshold < previous:
                raise InvalidParameterError(
                    f"parameter {tier.param}: {threshold} is below the lower tier's "
                    f"threshold {previous}; tiers must not decrease"
                )
            previous = threshold

    def flags(self, value: int | None, values: ParamValues) -> frozenset[str]:
        """Return the suicide flags for one answer to the suicide item."""
        if value is None:
            return frozen_flags((Flag.SUICIDE_ITEM_UNANSWERED,))
        return frozen_flags(tier.flag for tier in self.tiers if value >= values.integer(tier.param))


@dataclass(frozen=True, slots=True)
class ScaleInstrument:
    """A scale whose total is a sum over domains (a domain = its highest item).

    Without ``domains`` every item is its own domain, i.e. a plain sum. The
    constructor checks the definition: items numbered 1..n with unique keys,
    the declared total range equal to the computed one, and bands (if any)
    covering that range without gaps or overlaps.
    """

    id: str
    version: str
    form_version: str
    title: str
    rater: Rater
    items: tuple[Item, ...]
    total_min: int
    total_max: int
    bands: tuple[Band, ...]
    provenance: Provenance
    loinc_panel: str | None = None
    loinc_total: str | None = None
    domains: tuple[Domain, ...] = ()
    suicide_item: SuicideItemRule | None = None

    def __post_init__(self) -> None:
        """Check that the definition is internally consistent."""
        numbers = tuple(item.number for item in self.items)
        if numbers != tuple(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.id}: items must be numbered 1..n in order, got {numbers}")
        if len({item.key for item in self.items}) != len(self.items):
            raise ValueError(f"{self.id}: item keys must be unique")
        groups = self._groups()
        covered = sorted(number for group in groups for number in group)
        if covered != list(numbers):
            raise ValueError(f"{self.id}: domains must cover every item exactly once")
        low = sum(min(self.items[n - 1].min for n in group) for group in groups)
        high = sum(max(self.items[n - 1].max for n in group) for group in groups)
        if (low, high) != (self.total_min, self.total_max):
            raise ValueError(
                f"{self.id}: declared total range {self.total_min}-{self.total_max} "
                f"differs from the computed {low}-{high}"
            )
        if self.bands:
            expected = self.total_min
            for band in self.bands:
                if band.low != expected or band.high < band.low:
                    raise ValueError(f"{self.id}: bands must be contiguous from {self.total_min}")
                expected = band.high + 1
            if expected != self.total_max + 1:
                raise ValueError(f"{self.id}: bands must end at {self.total_max}")
        if self.suicide_item is not None and not 1 <= self.suicide_item.item_number <= len(
            self.items
        ):
            raise ValueError(f"{self.id}: suicide item number out of range")

    @property
    def params(self) -> tuple[ParamSpec, ...]:
        """Return the section 10 parameters this instrument accepts."""
        if self.suicide_item is None:
            return ()
        return tuple(param_spec(tier.param) for tier in self.suicide_item.tiers)

    def item(self, number: int) -> Item:
        """Return the item with 1-based ``number``."""
        return self.items[number - 1]

    def band_for(self, total: int) -> StrEnum | None:
        """Return the band label for ``total`` (None without bands)."""
        if not self.total_min <= total <= self.total_max:
            raise ValueError(
                f"{self.id}: total {total} is outside {self.total_min}-{self.total_max}"
            )
        for band in self.bands:
            if band.contains(total):
                return band.label
        return None

    def total_of(self, values: Sequence[int]) -> int:
        """Return the total of a complete answer set (domain-max rule)."""
        return sum(max(values[n - 1] for n in group) for group in self._groups())

    def score(
        self,
        answers: Sequence[int | None],
        params: Mapping[str, ParamValue] | None = None,
    ) -> Score:
        """Score one form: one answer (int or None) per item, in item order."""
        resolved = resolve_params(self.params, params)
        values = check_answers(self.id, self.items, answers)
        flags: frozenset[str] = frozenset()
        rule = self.suicide_item
        if rule is not None:
            # Safety first: the suicide item is evaluated before any
            # "incomplete" handling (REFERENCE.md §7).
            rule.check_params(self.item(rule.item_number), resolved)
            flags = rule.flags(values[rule.item_number - 1], resolved)
        complete_values = [value for value in values if value is not None]
        if len(complete_values) != len(values):
            return Score(
                instrument_id=self.id,
                version=self.version,
                total=None,
                band=None,
                complete=False,
                flags=flags,
            )
        total = self.total_of(complete_values)
        return Score(
            instrument_id=self.id,
            version=self.version,
            total=total,
            band=self.band_for(total),
            complete=True,
            flags=flags,
        )

    def _groups(self) -> tuple[tuple[int, ...], ...]:
        if self.domains:
            return tuple(domain.items for domain in self.domains)
        return tuple((item.number,) for item in self.items)


def numbered_items(
    labels: Sequence[tuple[str, str]],
    *,
    low: int,
    high: int,
    loinc: Sequence[str | None] | None = None,
    wide: Mapping[int, int] | None = None,
) -> tuple[Item, ...]:
    """Build items 1..n from ``(key, label)`` pairs ranged ``low``-``high``.

    ``wide`` maps item numbers to a different maximum (YMRS 0-8 items);
    ``loinc`` gives one code (or None) per item. Example::

        numbered_items([("interest", "interest or pleasure")], low=0, high=3)
    """
    codes = list(loinc) if loinc is not None else [None] * len(labels)
    if len(codes) != len(labels):
        raise ValueError("one LOINC code (or None) per item is required")
    overrides = wide or {}
    return tuple(
        Item(
            number=number,
            key=key,
            label=label,
            min=low,
            max=overrides.get(number, high),
            loinc=code,
        )
        for number, ((key, label), code) in enumerate(zip(labels, codes, strict=True), start=1)
    )


__all__ = [
    "LAST_CHECKED",
    "Anchor",
    "Band",
    "Domain",
    "Flag",
    "Instrument",
    "InvalidAnswers",
    "InvalidParameterError",
    "Item",
    "Provenance",
    "Rater",
    "ReviewStatus",
    "ScaleInstrument",
    "Score",
    "SuicideItemRule",
    "SuicideTier",
    "check_answer",
    "check_answers",
    "check_threshold",
    "frozen_flags",
    "numbered_items",
    "param_spec",
]
