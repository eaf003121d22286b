"""C-SSRS Screener: both versions, each with its own triage function.

Provenance (STYLE.md section 7)

1. Identity: ids ``cssrs_screen`` (lifetime/recent version, form
   ``cssrs_screener_lifetime_recent``) and ``cssrs_since_last_visit`` (form
   ``cssrs_screener_since_last_visit``), version ``1``; last checked against
   REFERENCE.md §1.7, §7 and §10 on 2026-11-26. One triage function per
   version: never feed one version's answers through the other's table.
2. Source: Posner K et al. The Columbia-Suicide Severity Rating Scale:
   initial validity and internal consistency findings... Am J Psychiatry
   2011;168:1266-1277; Columbia Lighthouse Project screener with triage
   colours (2021 forms, referenced by NIH NINDS CDE) [src]. Triage tables:
   Columbia triage guidance + NINDS CDE description [src]. DOI/PMID not given
   in REFERENCE.md; to be added at clinical review. LOINC (lifetime/recent
   screener only): panel 93373-9, risk level 93374-7, items 93246-7 (Q1),
   93247-5 (Q2), 93248-3 (Q3), 93249-1 (Q4), 93250-9 (Q5), 93267-3 (Q6),
   93269-9 (within past 3 months) [src: HL7 example; re-verify at loinc.org].
   No codes are recorded for the since-last-visit version.
3. Licence/IP: free for clinical, community and non-profit research use;
   for-profit use (e.g. commercial software) may need a licence from Columbia
   [mem], UNCONFIRMED for this product (REFERENCE.md §1.7). Keel ships no
   question text; labels are Keel's own words and official wording comes from
   a clinic text pack.
4. Scoring: answers are 0 (no) / 1 (yes) or None (unanswered); no total
   (``total`` is always None). ``cssrs_screen`` takes 7 answers [Q1, Q2, Q3,
   Q4, Q5, Q6, Q6 within past 3 months]; ``cssrs_since_last_visit`` takes 6
   [Q1..Q6]. Q3-Q5 are skipped (None) when Q2 is 0 and the 3-month follow-up
   is skipped when Q6 is 0; answering a skipped question raises
   ``InvalidAnswers``. Triage, highest level wins:

   lifetime/recent: all no -> none; Q1 and/or Q2 yes -> low; Q3 yes ->
   moderate; Q6 yes, more than 3 months ago -> moderate; Q4 or Q5 yes ->
   high; Q6 yes within 3 months -> high; Q6 yes with the follow-up
   unanswered -> ``cssrs_q6_followup_missing_level`` (default high; fail
   safe) plus flag ``cssrs_followup_missing``.

   since last visit: all no -> none; Q1 and/or Q2 yes -> low; Q3 yes ->
   moderate; Q4 or Q5 yes -> high; Q6 yes ->
   ``cssrs_since_last_visit_q6_yes_level`` (default high).

   Both level parameters accept only "moderate" or "high": behaviour more
   than 3 months ago already triages moderate, so a lower configured level
   would rate unknown-timing or recent behaviour below the mildest known
   behaviour answer.

   ``band`` is the triage level (``CssrsLevel``). Required answers: Q1, Q2,
   Q6 always; Q3-Q5 when Q2 is yes; the follow-up when Q6 is yes.
   ``complete`` is True only when every required answer is present.
   Unanswered required questions (fail safe): a missing answer is never read
   as "no". The level is the highest level reached by the answers given, so
   a missing answer can never lower it; when the answers given reach no level
   at all the level is None (undetermined), never "none". Every incomplete
   form carries ``cssrs_incomplete``. A "yes" is never discarded: Q3-Q5
   answered while Q2 is unanswered, or a follow-up "yes" while Q6 is
   unanswered, still count.
5. Safety items: every question. Flags: ``suicidal_ideation`` when any of
   Q1-Q5 is yes; ``cssrs_behaviour`` when Q6 (or its follow-up) is yes;
   ``cssrs_followup_missing`` and ``cssrs_incomplete`` as above. Rule ids
   (keel/clinical/protocol/protocols/keel-default.yaml):
   ``suicide.cssrs_screen.{low,moderate,high,incomplete}`` and
   ``suicide.cssrs_since_last_visit.{low,moderate,high,incomplete}``; a
   "high" level also enters the §7 tier-3 high-risk pathway.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from keel.clinical.instruments._base import (
    Anchor,
    Band,
    Flag,
    InvalidAnswers,
    Item,
    Provenance,
    Rater,
    Score,
    check_answers,
    frozen_flags,
    param_spec,
)
from keel.clinical.params import (
    InvalidParameterError,
    ParamName,
    ParamSpec,
    ParamValue,
    resolve_params,
)

SCREEN_ID: Final = "cssrs_screen"
SINCE_LAST_VISIT_ID: Final = "cssrs_since_last_visit"
VERSION: Final = "1"

NO: Final = 0
YES: Final = 1

# 1-based question numbers.
Q1_WISH_DEAD: Final = 1
Q2_ACTIVE_THOUGHTS: Final = 2
Q3_METHOD: Final = 3
Q4_INTENT: Final = 4
Q5_PLAN: Final = 5
Q6_BEHAVIOUR: Final = 6
Q6_PAST_3_MONTHS: Final = 7
CONDITIONAL_ON_Q2: Final = (Q3_METHOD, Q4_INTENT, Q5_PLAN)


class CssrsLevel(StrEnum):
    """C-SSRS triage level (REFERENCE.md §1.7), lowest first."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


LEVELS: Final = (CssrsLevel.NONE, CssrsLevel.LOW, CssrsLevel.MODERATE, CssrsLevel.HIGH)
"""All levels in rising order."""

FAIL_SAFE_LEVELS: Final = (CssrsLevel.MODERATE, CssrsLevel.HIGH)
"""Levels a clinic may configure for behaviour of unknown or recent timing.

Behaviour more than 3 months ago is already "moderate", so configuring a
lower level for an answer whose timing is unknown would read a missing
answer as better than the best possible answer.
"""

IDEATION_LEVELS: Final[Mapping[int, CssrsLevel]] = MappingProxyType(
    {
        Q1_WISH_DEAD: CssrsLevel.LOW,
        Q2_ACTIVE_THOUGHTS: CssrsLevel.LOW,
        Q3_METHOD: CssrsLevel.MODERATE,
        Q4_INTENT: CssrsLevel.HIGH,
        Q5_PLAN: CssrsLevel.HIGH,
    }
)
"""Level reached by a "yes" to each ideation question (both versions)."""

_YES_NO: Final = (Anchor(NO, "no"), Anchor(YES, "yes"))

_QUESTION_COUNTS: Final[Mapping[str, int]] = MappingProxyType(
    {SCREEN_ID: Q6_PAST_3_MONTHS, SINCE_LAST_VISIT_ID: Q6_BEHAVIOUR}
)


def highest(levels: Iterable[CssrsLevel]) -> CssrsLevel | None:
    """Return the highest of ``levels``, or None when there are none."""
    ranked = [LEVELS.index(level) for level in levels]
    return LEVELS[max(ranked)] if ranked else None


@dataclass(frozen=True, slots=True)
class Triage:
    """Result of one triage function."""

    level: CssrsLevel | None
    complete: bool
    flags: frozenset[str]


def _yes_no_item(number: int, key: str, label: str, loinc: str | None) -> Item:
    return Item(number=number, key=key, label=label, min=NO, max=YES, loinc=loinc, anchors=_YES_NO)


def _answer(values: Sequence[int | None], number: int) -> int | None:
    return values[number - 1]


def _check_skipped(
    items: Sequence[Item], values: Sequence[int | None], gate: int, skipped: Sequence[int]
) -> None:
    """Raise when a question skipped because ``gate`` is "no" was answered."""
    if _answer(values, gate) != NO:
        return
    for number in skipped:
        value = _answer(values, number)
        if value is not None:
            raise InvalidAnswers(
                f"{items[number - 1].describe()}: {value} given, but this question is "
                f"skipped when {items[gate - 1].describe()} is {NO}; it must be None "
                f"(allowed range {items[number - 1].range_text} only when asked)"
            )


def _ideation(values: Sequence[int | None], levels: list[CssrsLevel], flags: set[Flag]) -> bool:
    """Add ideation levels and flags; True if a required answer is missing."""
    required = [Q1_WISH_DEAD, Q2_ACTIVE_THOUGHTS]
    if _answer(values, Q2_ACTIVE_THOUGHTS) == YES:
        required.extend(CONDITIONAL_ON_Q2)
    for number, level in IDEATION_LEVELS.items():
        if _answer(values, number) == YES:
            levels.append(level)
            flags.add(Flag.SUICIDAL_IDEATION)
    return any(_answer(values, number) is None for number in required)


def _finish(levels: list[CssrsLevel], flags: set[Flag], incomplete: bool) -> Triage:
    if incomplete:
        flags.add(Flag.CSSRS_INCOMPLETE)
    level = highest(levels)
    if level is None and not incomplete:
        level = CssrsLevel.NONE
    return Triage(level=level, complete=not incomplete, flags=frozen_flags(flags))


def triage_screen(
    items: Sequence[Item], values: Sequence[int | None], followup_missing_level: CssrsLevel
) -> Triage:
    """Triage the lifetime/recent screener (REFERENCE.md §1.7, first table)."""
    _check_skipped(items, values, Q2_ACTIVE_THOUGHTS, CONDITIONAL_ON_Q2)
    _check_skipped(items, values, Q6_BEHAVIOUR, (Q6_PAST_3_MONTHS,))
    levels: list[CssrsLevel] = []
    flags: set[Flag] = set()
    incomplete = _ideation(values, levels, flags)
    behaviour = _answer(values, Q6_BEHAVIOUR)
    recent = _answer(values, Q6_PAST_3_MONTHS)
    if behaviour is None:
        incomplete = True
    if behaviour == YES or recent == YES:
        flags.add(Flag.CSSRS_BEHAVIOUR)
        if recent == YES:
            levels.append(CssrsLevel.HIGH)
        elif recent == NO:
            levels.append(CssrsLevel.MODERATE)
        else:
            # A missing 3-month answer is never read as "not within 3 months".
            levels.append(followup_missing_level)
            flags.add(Flag.CSSRS_FOLLOWUP_MISSING)
            incomplete = True
    return _finish(levels, flags, incomplete)


def triage_since_last_visit(
    items: Sequence[Item], values: Sequence[int | None], q6_yes_level: CssrsLevel
) -> Triage:
    """Triage the "since last visit" screener (REFERENCE.md §1.7, table 2)."""
    _check_skipped(items, values, Q2_ACTIVE_THOUGHTS, CONDITIONAL_ON_Q2)
    levels: list[CssrsLevel] = []
    flags: set[Flag] = set()
    incomplete = _ideation(values, levels, flags)
    behaviour = _answer(values, Q6_BEHAVIOUR)
    if behaviour is None:
        incomplete = True
    elif behaviour == YES:
        flags.add(Flag.CSSRS_BEHAVIOUR)
        levels.append(q6_yes_level)
    return _finish(levels, flags, incomplete)


def _level_param(spec: ParamSpec, value: str) -> CssrsLevel:
    if value not in {level.value for level in FAIL_SAFE_LEVELS}:
        allowed = ", ".join(level.value for level in FAIL_SAFE_LEVELS)
        raise InvalidParameterError(
            f"parameter {spec.name}: {value!r} is not an allowed level ({allowed})"
        )
    return CssrsLevel(value)


@dataclass(frozen=True, slots=True)
class CssrsInstrument:
    """A C-SSRS screener version: yes/no answers in, a triage level out."""

    id: str
    version: str
    form_version: str
    title: str
    rater: Rater
    items: tuple[Item, ...]
    provenance: Provenance
    level_param: ParamName
    loinc_panel: str | None = None
    loinc_level: str | None = None
    loinc_total: str | None = None
    total_min: int | None = None
    total_max: int | None = None
    bands: tuple[Band, ...] = ()

    def __post_init__(self) -> None:
        """Check that the definition matches a screener version."""
        expected = _QUESTION_COUNTS.get(self.id)
        if expected is None:
            raise ValueError(f"{self.id}: not a known C-SSRS screener version")
        if len(self.items) != expected:
            raise ValueError(f"{self.id}: expected {expected} questions, got {len(self.items)}")

    @property
    def params(self) -> tuple[ParamSpec, ...]:
        """Return the section 10 parameters this instrument accepts."""
        return (param_spec(self.level_param),)

    @property
    def levels(self) -> tuple[CssrsLevel, ...]:
        """Return the triage levels in rising order."""
        return LEVELS

    def score(
        self,
        answers: Sequence[int | None],
        params: Mapping[str, ParamValue] | None = None,
    ) -> Score:
        """Triage one form: one 0/1/None answer per question, in order."""
        resolved = resolve_params(self.params, params)
        configured = _level_param(param_spec(self.level_param), resolved.text(self.level_param))
        values = check_answers(self.id, self.items, answers)
        if self.id == SCREEN_ID:
            triage = triage_screen(self.items, values, configured)
        else:
            triage = triage_since_last_visit(self.items, values, configured)
        return Score(
            instrument_id=self.id,
            version=self.version,
            total=None,
            band=triage.level,
            complete=triage.complete,
            flags=triage.flags,
        )


_CITATION: Final = (
    "Posner K et al. The Columbia-Suicide Severity Rating Scale: initial validity and internal "
    "consistency findings... Am J Psychiatry 2011;168:1266-1277; Columbia Lighthouse Project "
    "screener with triage colours (2021 forms, referenced by NIH NINDS CDE)."
)
_LICENCE: Final = (
    "Free for clinical, community and non-profit research use; for-profit use (e.g. commercial "
    "software) may need a licence from Columbia [mem], UNCONFIRMED (REFERENCE.md §1.7). Keel "
    "ships no question text; official wording comes from a clinic text pack."
)
_SCORING: Final = "Columbia triage guidance + NINDS CDE description [src]; REFERENCE.md §1.7"


def _rule_ids(instrument_id: str) -> tuple[str, ...]:
    return tuple(
        f"suicide.{instrument_id}.{suffix}" for suffix in ("low", "moderate", "high", "incomplete")
    )


SCREEN: Final = CssrsInstrument(
    id=SCREEN_ID,
    version=VERSION,
    form_version="cssrs_screener_lifetime_recent",
    title="C-SSRS Screener (lifetime/recent)",
    rater=Rater.CLINICIAN,
    items=(
        _yes_no_item(Q1_WISH_DEAD, "wish_dead", "wish to be dead", "93246-7"),
        _yes_no_item(Q2_ACTIVE_THOUGHTS, "active_thoughts", "active suicidal thoughts", "93247-5"),
        _yes_no_item(Q3_METHOD, "method", "thoughts of a method", "93248-3"),
        _yes_no_item(Q4_INTENT, "intent", "intent, no specific plan", "93249-1"),
        _yes_no_item(Q5_PLAN, "plan", "intent with a specific plan", "93250-9"),
        _yes_no_item(Q6_BEHAVIOUR, "behaviour", "suicidal behaviour, ever", "93267-3"),
        _yes_no_item(
            Q6_PAST_3_MONTHS, "behaviour_past_3_months", "behaviour in past 3 months", "93269-9"
        ),
    ),
    provenance=Provenance(
        citation=_CITATION,
        licence_note=_LICENCE,
        scoring_source=_SCORING,
        safety_rule_ids=_rule_ids(SCREEN_ID),
        notes=(
            "Ideation recall: past month; behaviour: ever, with a past-3-months follow-up.",
            "LOINC codes from an HL7 example; re-verify at loinc.org.",
        ),
    ),
    level_param=ParamName.CSSRS_Q6_FOLLOWUP_MISSING_LEVEL,
    loinc_panel="93373-9",
    loinc_level="93374-7",
)

SINCE_LAST_VISIT: Final = CssrsInstrument(
    id=SINCE_LAST_VISIT_ID,
    version=VERSION,
    form_version="cssrs_screener_since_last_visit",
    title="C-SSRS Screener (since last visit)",
    rater=Rater.CLINICIAN,
    items=(
        _yes_no_item(Q1_WISH_DEAD, "wish_dead", "wish to be dead", None),
        _yes_no_item(Q2_ACTIVE_THOUGHTS, "active_thoughts", "active suicidal thoughts", None),
        _yes_no_item(Q3_METHOD, "method", "thoughts of a method", None),
        _yes_no_item(Q4_INTENT, "intent", "intent, no specific plan", None),
        _yes_no_item(Q5_PLAN, "plan", "intent with a specific plan", None),
        _yes_no_item(Q6_BEHAVIOUR, "behaviour", "suicidal behaviour since last visit", None),
    ),
    provenance=Provenance(
        citation=_CITATION,
        licence_note=_LICENCE,
        scoring_source=_SCORING,
        safety_rule_ids=_rule_ids(SINCE_LAST_VISIT_ID),
        notes=(
            "Every question covers the time since the last visit; no 3-month follow-up.",
            "No LOINC codes recorded for this version.",
        ),
    ),
    level_param=ParamName.CSSRS_SINCE_LAST_VISIT_Q6_YES_LEVEL,
)
