"""Derived alert facts: what the alert rules read, computed from a patient's history.

Provenance (STYLE.md section 7)

1. Identity: ``alert_facts`` and ``personal_baseline``, for protocol
   keel-default v3 (fact group ``alert``); last checked against
   REFERENCE.md §1.1-§1.7, §1.10, §5.2, §7 and §10 on 2026-11-26.
2. Source: the rules carry their own sources; this module only turns the
   history into the facts they compare (REFERENCE.md §5.2 "Which ratings
   feed the rule", "Baselines", persistence and mixed features).
3. Licence/IP: no third-party text.
4. Logic (every number is a protocol parameter, passed in ``params``):
   - Acute post-dose: a rating flagged ``acute_post_dose`` or taken 0 to
     ``switch_acute_post_dose_exclusion_hours`` after a dose, and a diary
     entry flagged ``acute_post_dose``, never feed a switch fact (nor the
     mixed-features facts, nor the baselines).
   - Pre-dose YMRS: a YMRS outside the acute window, not rated in session,
     taken at least ``switch_ymrs_min_hours_since_dose`` after the previous
     dose (or before the first dose). Pre-treatment YMRS baseline: the
     latest such YMRS before the first dose (a baseline-purpose one first).
   - Personal diary baseline: mean mood and sleep of the diary days before
     the first dose (before the trigger's day while there is no dose); it
     exists with at least ``switch_baseline_min_diary_days`` days.
   - Rating facts (``trigger_*``) describe the triggering rating only; the
     diary facts the triggering diary entry; streaks are the run of
     consecutive days that contains the triggering entry's day.
   - Persistence over ratings: in the run of consecutive switch ratings
     (ASRM outside the acute window, pre-dose YMRS) that ends with the
     trigger and where every rating meets an amber criterion, the most
     ratings that are each at least ``switch_persistence_window_hours``
     after the previous one (chosen greedily from the earliest).
   - Mixed features: the latest rating of each instrument outside the acute
     window within ``mixed_features_window_days`` before the trigger, the
     diary run, and any suicide-item trigger in that window.
   - Clock facts: missed diary days (consecutive days up to yesterday without
     an entry since the diary was assigned), overdue scales (one evaluation
     per overdue assignment), and the end-of-induction MADRS reduction.
5. Safety items: suicide items are read from the answers, independently of
   the total (REFERENCE.md §7); a missing suicide item leaves its fact
   missing, which the ``*.unanswered`` rules turn into a task.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from keel.clinical.alerts import _params as p
from keel.clinical.alerts.history import (
    DiaryPoint,
    DueItem,
    PatientHistory,
    RatingPoint,
    Trigger,
)
from keel.clinical.alerts.timing import (
    END_OF_DAY,
    in_post_session_watch,
    last_dose_before,
    local_date,
    require_aware,
    within_acute_window,
)
from keel.clinical.instruments import INSTRUMENT_IDS, InvalidAnswers, get_instrument
from keel.clinical.instruments.cssrs import SCREEN_ID, SINCE_LAST_VISIT_ID
from keel.clinical.protocol.model import AlertEvidence

PHQ9: Final = "phq9"
QIDS: Final = "qids_sr16"
MADRS: Final = "madrs"
YMRS: Final = "ymrs"
ASRM: Final = "asrm"
DIARY_ASSIGNMENT: Final = "diary"
CSSRS_IDS: Final = (SCREEN_ID, SINCE_LAST_VISIT_ID)

# 1-based item numbers (REFERENCE.md §1.1, §1.3, §1.4, §1.5).
PHQ9_SUICIDE_ITEM: Final = 9
QIDS_SUICIDE_ITEM: Final = 12
MADRS_SUICIDE_ITEM: Final = 10
YMRS_ELEVATED_MOOD_ITEM: Final = 1
YMRS_SLEEP_ITEM: Final = 4
YMRS_THOUGHT_DISORDER_ITEM: Final = 7
YMRS_CONTENT_ITEM: Final = 8

TRIGGER_KINDS: Final = ("rating", "diary", "clock", "exit_check")
CLOCK_REF: Final = "clock"
IN_SESSION: Final = "in_session"
BASELINE: Final = "baseline"
CSSRS_SIGNAL_LEVELS: Final = frozenset({"low", "moderate", "high"})
_CENT: Final = Decimal("0.01")
_TENTH: Final = Decimal("0.1")
_HUNDRED: Final = Decimal(100)

CSSRS_LEVEL_PARAMS: Final = {
    SCREEN_ID: "cssrs_q6_followup_missing_level",
    SINCE_LAST_VISIT_ID: "cssrs_since_last_visit_q6_yes_level",
}

BUILDER_PARAMETERS: Final[tuple[str, ...]] = (
    "switch_acute_post_dose_exclusion_hours",
    "switch_ymrs_min_hours_since_dose",
    "switch_baseline_min_diary_days",
    "switch_sleep_drop_min_hours",
    "switch_sleep_fallback_below_hours",
    "switch_amber_asrm_min",
    "switch_amber_ymrs_min",
    "switch_amber_ymrs_rise_min",
    "switch_amber_diary_mood_min",
    "switch_red_ymrs_repeat_min",
    "switch_persistence_window_hours",
    "switch_red_asrm_sleep_window_days",
    "mixed_features_window_days",
    "mixed_elevation_diary_mood_max",
    "mixed_elevation_irritability_min",
    "phq9_item9_tier1_min",
    "qids_item12_tier1_min",
    "madrs_item10_cssrs_min",
    "cssrs_q6_followup_missing_level",
    "cssrs_since_last_visit_q6_yes_level",
    "post_session_watch_days",
)
"""Parameters the fact builder reads (besides those the rules compare)."""


@dataclass(frozen=True, slots=True)
class PersonalBaseline:
    """Mean diary mood and sleep of the days before the first dose (REFERENCE.md §1.10, §5.2).

    ``mood`` and ``sleep_hours`` are rounded to 0.01; ``days`` is the number
    of diary days averaged.
    """

    days: int
    mood: Decimal
    sleep_hours: Decimal


@dataclass
class BuiltFacts:
    """The facts of one trigger, the evidence keys they support, and the overdue items."""

    facts: dict[str, object]
    evidence: dict[AlertEvidence, str] = field(default_factory=dict)
    overdue: tuple[DueItem, ...] = ()


# ---------------------------------------------------------------- public helpers


def personal_baseline(
    history: PatientHistory,
    *,
    tz: tzinfo,
    params: Mapping[str, object],
    before: date | None = None,
) -> PersonalBaseline | None:
    """Return the personal diary baseline, or None with too few days.

    The baseline is the mean of the diary days before the first dose (local
    date in ``tz``); acute post-dose entries never count. While there is no
    dose, the days before ``before`` (the day being judged) are used, so an
    entry is never compared with itself. None when fewer than
    ``switch_baseline_min_diary_days`` days qualify. Example::

        personal_baseline(history, tz=clinic_tz, params=resolve_params(protocol))
    """
    entries = _baseline_entries(history, tz, before)
    if len(entries) < p.integer(params, "switch_baseline_min_diary_days") or not entries:
        return None
    count = Decimal(len(entries))
    mood = Decimal(sum(entry.mood for entry in entries)) / count
    sleep = sum((entry.sleep_hours for entry in entries), Decimal(0)) / count
    return PersonalBaseline(
        days=len(entries),
        mood=mood.quantize(_CENT, rounding=ROUND_HALF_EVEN),
        sleep_hours=sleep.quantize(_CENT, rounding=ROUND_HALF_EVEN),
    )


def alert_facts(
    history: PatientHistory,
    trigger: Trigger,
    *,
    now: datetime,
    tz: tzinfo,
    params: Mapping[str, object],
) -> dict[str, object]:
    """Return the alert facts (fact group ``alert``) for one trigger.

    ``params`` are the resolved parameter values
    (``resolve_params(protocol, overrides)``). Facts that do not apply to
    the trigger are None (missing). Raises ValueError for an unknown trigger
    kind, a rating or diary ref not in ``history``, or a naive ``now``.
    """
    return build_facts(history, trigger, now=now, tz=tz, params=params).facts


# ---------------------------------------------------------------- builder


def build_facts(
    history: PatientHistory,
    trigger: Trigger,
    *,
    now: datetime,
    tz: tzinfo,
    params: Mapping[str, object],
) -> BuiltFacts:
    """Return the facts of one trigger with the evidence keys (see :func:`alert_facts`)."""
    require_aware(now, "now")
    if trigger.kind not in TRIGGER_KINDS:
        raise ValueError(
            f"unknown trigger kind {trigger.kind!r} (allowed: rating, diary, clock, exit_check)"
        )
    view = _History(history, tz, params)
    built = BuiltFacts(facts={"trigger_kind": trigger.kind, "trigger_instrument": "none"})
    built.facts["risk_modifier_present"] = bool(history.risk_modifiers)
    built.facts["in_post_session_watch"] = in_post_session_watch(history, now, tz, params)
    if trigger.kind == "rating":
        rating = view.rating(trigger.ref)
        _rating_facts(view, rating, built)
        _asrm_window_facts(view, built, rating=rating, diary=None)
        _mixed_facts(view, rating.taken_at, built)
    elif trigger.kind == "diary":
        entry = view.diary_entry(trigger.ref)
        _diary_facts(view, entry, built)
        _asrm_window_facts(view, built, rating=None, diary=entry)
        at = min(now, datetime.combine(entry.entry_date, END_OF_DAY, tzinfo=tz))
        _mixed_facts(view, at, built)
    elif trigger.kind == "exit_check":
        check = next((c for c in history.exit_checks if c.ref == trigger.ref), None)
        if check is None:
            raise ValueError(f"trigger exit check {trigger.ref!r} is not in the history")
        # REFERENCE.md §6: a finding still present at discharge leaves the acute window.
        built.facts["exit_mood_elevation"] = check.mood_elevation
        built.facts["exit_perceptual_change"] = check.perceptual_change
        built.facts["exit_new_suicidal_ideation"] = check.new_suicidal_ideation
    else:
        _clock_facts(view, now, built)
    return built


class _History:
    """Sorted, classified views of a patient's history for one evaluation."""

    def __init__(self, history: PatientHistory, tz: tzinfo, params: Mapping[str, object]):
        for rating in history.ratings:
            require_aware(rating.taken_at, f"rating {rating.ref} taken_at")
        for dose in history.doses:
            require_aware(dose.at, f"dose {dose.ref} at")
        self.history = history
        self.tz = tz
        self.params = params
        self.ratings = tuple(sorted(history.ratings, key=lambda r: (r.taken_at, r.ref)))
        self.diary = tuple(sorted(history.diary, key=lambda d: (d.entry_date, d.ref)))
        self.doses = tuple(sorted(history.doses, key=lambda d: (d.at, d.ref)))
        self.first_dose = self.doses[0] if self.doses else None

    # -- lookups
    def rating(self, ref: str) -> RatingPoint:
        for rating in self.ratings:
            if rating.ref == ref:
                return rating
        raise ValueError(f"trigger rating {ref!r} is not in the history")

    def diary_entry(self, ref: str) -> DiaryPoint:
        for entry in self.diary:
            if entry.ref == ref:
                return entry
        raise ValueError(f"trigger diary entry {ref!r} is not in the history")

    # -- classification
    def acute(self, rating: RatingPoint) -> bool:
        return rating.acute_post_dose or within_acute_window(
            self.doses, rating.taken_at, self.params
        )

    def ymrs_predose(self, rating: RatingPoint) -> bool:
        if rating.instrument_id != YMRS or rating.purpose == IN_SESSION or self.acute(rating):
            return False
        previous = last_dose_before(self.doses, rating.taken_at)
        if previous is None:
            return True
        gap = timedelta(hours=p.integer(self.params, "switch_ymrs_min_hours_since_dose"))
        return rating.taken_at - previous.at >= gap

    def switch_rating(self, rating: RatingPoint) -> bool:
        """True for the ratings the persistence rule reads: ASRM outside the window, pre-dose YMRS."""
        if rating.instrument_id == ASRM:
            return rating.total is not None and not self.acute(rating)
        return rating.total is not None and self.ymrs_predose(rating)

    def ymrs_baseline(self, exclude: str | None = None) -> RatingPoint | None:
        """Return the pre-treatment YMRS (latest before the first dose; baseline purpose first)."""
        candidates = [
            r
            for r in self.ratings
            if r.instrument_id == YMRS
            and r.total is not None
            and r.ref != exclude
            and not r.acute_post_dose
            and (self.first_dose is None or r.taken_at < self.first_dose.at)
        ]
        if self.first_dose is None:
            candidates = [r for r in candidates if r.purpose == BASELINE]
        preferred = [r for r in candidates if r.purpose == BASELINE] or candidates
        return preferred[-1] if preferred else None

    def amber_rating(self, rating: RatingPoint) -> bool:
        """True when a switch rating meets an amber criterion of REFERENCE.md §5.2."""
        total = rating.total
        if total is None:
            return False
        if rating.instrument_id == ASRM:
            return total >= p.integer(self.params, "switch_amber_asrm_min")
        if total >= p.integer(self.params, "switch_amber_ymrs_min"):
            return True
        baseline = self.ymrs_baseline(exclude=rating.ref)
        rise = p.integer(self.params, "switch_amber_ymrs_rise_min")
        return (
            baseline is not None and baseline.total is not None and total >= baseline.total + rise
        )

    def diary_by_day(self, *, include_acute: bool = False) -> dict[date, DiaryPoint]:
        return {e.entry_date: e for e in self.diary if include_acute or not e.acute_post_dose}

    def suicide_signal(self, rating: RatingPoint) -> bool:
        """True when a rating fires any §7 suicide-item trigger (tier 1 or above, C-SSRS yes)."""
        item = _suicide_item(rating)
        if rating.instrument_id == PHQ9:
            return item is not None and item >= p.integer(self.params, "phq9_item9_tier1_min")
        if rating.instrument_id == QIDS:
            return item is not None and item >= p.integer(self.params, "qids_item12_tier1_min")
        if rating.instrument_id == MADRS:
            return item is not None and item >= p.integer(self.params, "madrs_item10_cssrs_min")
        if rating.instrument_id in CSSRS_IDS:
            level, _complete = _cssrs(rating, self.params)
            return level in CSSRS_SIGNAL_LEVELS
        return False


def _baseline_entries(history: PatientHistory, tz: tzinfo, before: date | None) -> list[DiaryPoint]:
    doses = sorted(history.doses, key=lambda d: (d.at, d.ref))
    cutoff = local_date(doses[0].at, tz) if doses else before
    return [
        entry
        for entry in history.diary
        if not entry.acute_post_dose and (cutoff is None or entry.entry_date < cutoff)
    ]


# ---------------------------------------------------------------- rating trigger


def _answer(rating: RatingPoint, number: int) -> int | None:
    return rating.answers[number - 1] if len(rating.answers) >= number else None


def _suicide_item(rating: RatingPoint) -> int | None:
    number = {PHQ9: PHQ9_SUICIDE_ITEM, QIDS: QIDS_SUICIDE_ITEM, MADRS: MADRS_SUICIDE_ITEM}.get(
        rating.instrument_id
    )
    return None if number is None else _answer(rating, number)


def _cssrs(rating: RatingPoint, params: Mapping[str, object]) -> tuple[str | None, bool]:
    """Return the C-SSRS triage level (or None) and whether the form is complete."""
    name = CSSRS_LEVEL_PARAMS[rating.instrument_id]
    overrides = {name: p.text(params, name)} if name in params else None
    try:
        score = get_instrument(rating.instrument_id).score(rating.answers, overrides)
    except (InvalidAnswers, ValueError):
        return None, False
    return (None if score.band is None else str(score.band)), score.complete


def _rating_facts(view: _History, rating: RatingPoint, built: BuiltFacts) -> None:
    facts = built.facts
    instrument = rating.instrument_id
    facts["trigger_instrument"] = instrument if instrument in INSTRUMENT_IDS else "none"
    facts["trigger_outside_acute_window"] = not view.acute(rating)
    built.evidence[AlertEvidence.TRIGGER] = rating.ref
    if instrument in (PHQ9, QIDS, MADRS):
        facts["trigger_suicide_item_unanswered"] = _suicide_item(rating) is None
    if instrument == PHQ9:
        facts["trigger_phq9_item9"] = _suicide_item(rating)
        facts["trigger_phq9_total"] = rating.total
        previous = [
            r
            for r in view.ratings
            if r.instrument_id == PHQ9
            and r.total is not None
            and r.ref != rating.ref
            and (r.taken_at, r.ref) < (rating.taken_at, rating.ref)
        ]
        facts["previous_phq9_total"] = previous[-1].total if previous else None
    elif instrument == QIDS:
        facts["trigger_qids_item12"] = _suicide_item(rating)
    elif instrument == MADRS:
        facts["trigger_madrs_item10"] = _suicide_item(rating)
    elif instrument in CSSRS_IDS:
        level, complete = _cssrs(rating, view.params)
        facts["trigger_cssrs_level"] = level
        facts["trigger_cssrs_complete"] = complete
    elif instrument == ASRM:
        facts["trigger_asrm_total"] = rating.total
    elif instrument == YMRS:
        _ymrs_facts(view, rating, built)
    if view.switch_rating(rating):
        _persistence_facts(view, rating, built)


def _ymrs_facts(view: _History, rating: RatingPoint, built: BuiltFacts) -> None:
    facts = built.facts
    predose = view.ymrs_predose(rating)
    facts["trigger_ymrs_predose"] = predose
    facts["trigger_ymrs_total"] = rating.total
    facts["trigger_ymrs_item1"] = _answer(rating, YMRS_ELEVATED_MOOD_ITEM)
    facts["trigger_ymrs_item4"] = _answer(rating, YMRS_SLEEP_ITEM)
    facts["trigger_ymrs_item7"] = _answer(rating, YMRS_THOUGHT_DISORDER_ITEM)
    facts["trigger_ymrs_item8"] = _answer(rating, YMRS_CONTENT_ITEM)
    baseline = view.ymrs_baseline(exclude=rating.ref)
    facts["ymrs_baseline_total"] = None if baseline is None else baseline.total
    if not predose:
        return
    threshold = p.integer(view.params, "switch_red_ymrs_repeat_min")
    run = 0
    for earlier in reversed(_up_to(view.ratings, rating)):
        if not view.ymrs_predose(earlier) or earlier.total is None:
            continue
        if earlier.total < threshold:
            break
        run += 1
    facts["ymrs_repeat_run"] = run


def _up_to(ratings: tuple[RatingPoint, ...], rating: RatingPoint) -> list[RatingPoint]:
    """Return the ratings up to and including ``rating`` (in time order)."""
    key = (rating.taken_at, rating.ref)
    return [r for r in ratings if (r.taken_at, r.ref) <= key]


def _persistence_facts(view: _History, rating: RatingPoint, built: BuiltFacts) -> None:
    run: list[RatingPoint] = []
    for earlier in reversed(_up_to(view.ratings, rating)):
        if not view.switch_rating(earlier):
            continue
        if not view.amber_rating(earlier):
            break
        run.append(earlier)
    run.reverse()
    gap = timedelta(hours=p.integer(view.params, "switch_persistence_window_hours"))
    chain: list[RatingPoint] = []
    for candidate in run:
        if not chain or candidate.taken_at - chain[-1].taken_at >= gap:
            chain.append(candidate)
    built.facts["amber_rating_persistence"] = len(chain)
    if chain:
        built.evidence[AlertEvidence.RATING_PERSISTENCE] = f"persistence:{chain[0].ref}"


# ---------------------------------------------------------------- diary trigger


def _run_containing(
    day: date, by_day: Mapping[date, DiaryPoint], meets: Callable[[DiaryPoint], bool]
) -> tuple[int, date | None]:
    """Return the length and first day of the run of consecutive days around ``day``."""
    entry = by_day.get(day)
    if entry is None or not meets(entry):
        return 0, None
    first = day
    while (previous := by_day.get(first - timedelta(days=1))) is not None and meets(previous):
        first -= timedelta(days=1)
    last = day
    while (following := by_day.get(last + timedelta(days=1))) is not None and meets(following):
        last += timedelta(days=1)
    return (last - first).days + 1, first


def _diary_facts(view: _History, entry: DiaryPoint, built: BuiltFacts) -> None:
    facts = built.facts
    params = view.params
    built.evidence[AlertEvidence.TRIGGER] = entry.ref
    facts["trigger_outside_acute_window"] = not entry.acute_post_dose
    facts["trigger_diary_mood"] = entry.mood
    facts["trigger_diary_sleep_hours"] = entry.sleep_hours
    facts["trigger_diary_less_need_for_sleep"] = entry.felt_less_need_for_sleep
    baseline_days = len(_baseline_entries(view.history, view.tz, entry.entry_date))
    facts["diary_baseline_days"] = baseline_days
    baseline = personal_baseline(view.history, tz=view.tz, params=params, before=entry.entry_date)
    facts["diary_sleep_below_baseline_hours"] = (
        None if baseline is None else baseline.sleep_hours - entry.sleep_hours
    )
    mood_min = p.integer(params, "switch_amber_diary_mood_min")
    drop = p.number(params, "switch_sleep_drop_min_hours")
    fallback = p.number(params, "switch_sleep_fallback_below_hours")

    def high_mood(day: DiaryPoint) -> bool:
        return day.mood >= mood_min

    def short_sleep(day: DiaryPoint) -> bool:
        if not day.felt_less_need_for_sleep:
            return False
        if baseline is not None:
            return baseline.sleep_hours - day.sleep_hours >= drop
        return day.sleep_hours < fallback

    def amber_day(day: DiaryPoint) -> bool:
        return high_mood(day) or short_sleep(day)

    by_day = view.diary_by_day()
    mood_run, mood_first = _run_containing(entry.entry_date, by_day, high_mood)
    amber_run, amber_first = _run_containing(entry.entry_date, by_day, amber_day)
    facts["diary_high_mood_streak_days"] = mood_run
    facts["diary_amber_streak_days"] = amber_run
    if mood_first is not None:
        built.evidence[AlertEvidence.DIARY_MOOD_STREAK] = (
            f"diary-mood-streak:{mood_first.isoformat()}"
        )
    if amber_first is not None:
        built.evidence[AlertEvidence.DIARY_AMBER_STREAK] = (
            f"diary-amber-streak:{amber_first.isoformat()}"
        )


# ---------------------------------------------------------------- ASRM with short sleep


def _asrm_window_facts(
    view: _History, built: BuiltFacts, *, rating: RatingPoint | None, diary: DiaryPoint | None
) -> None:
    """ASRM >= cut-off with reduced need for sleep on several nights (REFERENCE.md §5.2 red)."""
    window = p.integer(view.params, "switch_red_asrm_sleep_window_days")
    asrm: RatingPoint | None = None
    if rating is not None:
        if rating.instrument_id != ASRM or rating.total is None or view.acute(rating):
            return
        asrm = rating
        end = local_date(rating.taken_at, view.tz)
    elif diary is not None:
        if diary.acute_post_dose:
            return
        end = diary.entry_date
        candidates = [
            r
            for r in view.ratings
            if r.instrument_id == ASRM
            and r.total is not None
            and not view.acute(r)
            and end - timedelta(days=window) < local_date(r.taken_at, view.tz) <= end
        ]
        asrm = candidates[-1] if candidates else None
    start = end - timedelta(days=window)
    nights = sum(
        1
        for day, entry in view.diary_by_day().items()
        if start < day <= end and entry.felt_less_need_for_sleep
    )
    built.facts["window_short_sleep_nights"] = nights
    built.facts["window_asrm_total"] = None if asrm is None else asrm.total
    if asrm is not None:
        built.evidence[AlertEvidence.ASRM_WINDOW] = f"asrm-sleep:{asrm.ref}"


# ---------------------------------------------------------------- mixed features


def _latest_total(ratings: Iterable[RatingPoint], instrument: str) -> int | None:
    totals = [r.total for r in ratings if r.instrument_id == instrument and r.total is not None]
    return totals[-1] if totals else None


def _mixed_facts(view: _History, at: datetime, built: BuiltFacts) -> None:
    """Current depressive load, elevation and suicide signal (REFERENCE.md §5.2 mixed features)."""
    params = view.params
    days = p.integer(params, "mixed_features_window_days")
    since = at - timedelta(days=days)
    current = [r for r in view.ratings if since <= r.taken_at <= at and not view.acute(r)]
    facts = built.facts
    facts["current_madrs_total"] = _latest_total(current, MADRS)
    facts["current_phq9_total"] = _latest_total(current, PHQ9)
    facts["current_qids_total"] = _latest_total(current, QIDS)
    facts["current_ymrs_total"] = _latest_total(current, YMRS)
    facts["current_asrm_total"] = _latest_total(current, ASRM)
    signals = [r for r in current if view.suicide_signal(r)]
    facts["current_suicide_signal"] = bool(signals)
    if signals:
        built.evidence[AlertEvidence.MIXED_FEATURES] = f"mixed:{signals[-1].ref}"
    mood_max = p.integer(params, "mixed_elevation_diary_mood_max")
    irritability_min = p.integer(params, "mixed_elevation_irritability_min")
    end = local_date(at, view.tz)
    start = end - timedelta(days=days)
    by_day = {day: e for day, e in view.diary_by_day().items() if start < day <= end}
    longest = run = 0
    previous: date | None = None
    for day in sorted(by_day):
        entry = by_day[day]
        meets = entry.mood <= mood_max and (
            entry.felt_less_need_for_sleep or entry.irritability >= irritability_min
        )
        if not meets:
            run, previous = 0, None
            continue
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        previous = day
        longest = max(longest, run)
    facts["current_mixed_diary_days"] = longest


# ---------------------------------------------------------------- clock


def _clock_facts(view: _History, now: datetime, built: BuiltFacts) -> None:
    built.evidence[AlertEvidence.TRIGGER] = CLOCK_REF
    _missed_diary(view, now, built)
    built.overdue = tuple(
        item
        for item in view.history.due
        if item.instrument_id != DIARY_ASSIGNMENT
        and item.due_on is not None
        and item.days_overdue > 0
    )
    _end_of_induction(view, now, built)


def _missed_diary(view: _History, now: datetime, built: BuiltFacts) -> None:
    expected = view.history.diary_expected_since
    if expected is None:
        return
    written = {entry.entry_date for entry in view.diary}
    day = local_date(now, view.tz) - timedelta(days=1)
    missed = 0
    while day >= expected and day not in written:
        missed += 1
        day -= timedelta(days=1)
    built.facts["diary_missed_days"] = missed
    if missed:
        first = day + timedelta(days=1)
        built.evidence[AlertEvidence.DIARY_GAP] = f"diary-gap:{first.isoformat()}"


def _end_of_induction(view: _History, now: datetime, built: BuiltFacts) -> None:
    planned = view.history.induction_sessions_planned
    if planned is None:
        return
    induction = [d for d in view.doses if 1 <= d.session_number <= planned and d.at <= now]
    complete = len({d.session_number for d in induction}) >= planned
    built.facts["induction_complete"] = complete
    if not complete or view.first_dose is None:
        return
    last_dose = max(d.at for d in induction)
    madrs = [r for r in view.ratings if r.instrument_id == MADRS and r.total is not None]
    before = [r for r in madrs if r.taken_at < view.first_dose.at]
    preferred = [r for r in before if r.purpose == BASELINE] or before
    after = [r for r in madrs if last_dose < r.taken_at <= now and not view.acute(r)]
    if not preferred or not after:
        return
    baseline_total, end = preferred[-1].total, after[0]
    if not baseline_total or end.total is None:  # None or 0: no reduction can be computed
        return
    reduction = Decimal(baseline_total - end.total) * _HUNDRED / Decimal(baseline_total)
    built.facts["induction_madrs_reduction_pct"] = reduction.quantize(
        _TENTH, rounding=ROUND_HALF_EVEN
    )
    built.evidence[AlertEvidence.END_OF_INDUCTION] = f"end-of-induction:{end.ref}"
