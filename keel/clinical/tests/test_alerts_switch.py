"""Mood-elevation alert rules (REFERENCE.md §5.2): amber, red, persistence, mixed features."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from keel.clinical.alerts import in_post_session_watch, personal_baseline
from keel.clinical.tests.alert_helpers import (
    TZ,
    History,
    at,
    by_rule,
    day_of,
    defaults,
    diary,
    fired,
    rating,
    run,
)

AMBER_ASRM = "switch.amber.asrm"
AMBER_YMRS = "switch.amber.ymrs_range"
AMBER_RISE = "switch.amber.ymrs_rise"
AMBER_MOOD = "switch.amber.diary_mood"
AMBER_SLEEP = "switch.amber.sleep"
RED_YMRS = "switch.red.ymrs"
RED_REPEAT = "switch.red.ymrs_repeat"
RED_SLEEP_MOOD = "switch.red.ymrs_sleep_mood"
RED_PSYCHOSIS = "switch.red.psychosis"
RED_PERSIST_RATINGS = "switch.red.persistence_ratings"
RED_PERSIST_DIARY = "switch.red.persistence_diary"
RED_ASRM_SLEEP = "switch.red.asrm_short_sleep"
RED_MIXED = "switch.red.mixed_features"
SUICIDE_MIXED = "suicide.mixed_features"


def asrm_alerts(
    total: int, *, hours_after_dose: float | None = None, acute: bool = False
) -> list[str]:
    history = History()
    taken = at(2, 10)
    if hours_after_dose is not None:
        history.dose(taken - timedelta(hours=hours_after_dose))
    ref = history.rate("asrm", taken, total=total, acute=acute)
    return fired(run(history, rating(ref), taken + timedelta(minutes=1)))


@pytest.mark.parametrize(
    ("total", "hours_after_dose", "acute", "expected"),
    [
        (6, None, False, [AMBER_ASRM]),
        (5, None, False, []),
        (12, None, True, []),
        (12, 3.99, False, []),
        (6, 4, False, []),
        (6, 4.01, False, [AMBER_ASRM]),
        (6, 48, False, [AMBER_ASRM]),
    ],
    ids=[
        "cut-off",
        "below",
        "flagged-acute",
        "inside-4h",
        "at-4h",
        "just-after-4h",
        "two-days-after",
    ],
)
def test_asrm_amber_excludes_acute_post_dose_ratings(
    total: int, hours_after_dose: float | None, acute: bool, expected: list[str]
) -> None:
    """ASRM >= 6 is amber, except 0 to 4 h after a dose, both ends included (flagged or by the
    dose time)."""
    assert asrm_alerts(total, hours_after_dose=hours_after_dose, acute=acute) == expected


def test_amber_alert_metadata() -> None:
    """Amber: routine, amber hold, psychiatrist notified, review within 24 h."""
    history = History()
    ref = history.rate("asrm", at(2, 10), total=6)
    finding = run(history, rating(ref), at(2, 11))[0]
    assert (finding.category, finding.priority, finding.level, finding.hold) == (
        "mood_elevation",
        "routine",
        "amber",
        "amber",
    )
    assert finding.notify_psychiatrist is True
    assert finding.show_crisis is False
    assert finding.ack_due_at == at(3, 11)
    assert finding.facts["trigger_outside_acute_window"] is True


def ymrs_alerts(
    total: int | None = None,
    *,
    hours_after_dose: float = 72,
    items: dict[int, int | None] | None = None,
    purpose: str = "pre_session",
    baseline: int | None = None,
) -> list[str]:
    history = History()
    if baseline is not None:
        history.rate("ymrs", at(-3), total=baseline, purpose="baseline")
    taken = at(5, 9)
    history.dose(taken - timedelta(hours=hours_after_dose))
    ref = history.rate("ymrs", taken, total=total, items=items, purpose=purpose)
    return fired(run(history, rating(ref), taken + timedelta(minutes=5)))


@pytest.mark.parametrize(
    ("total", "hours", "purpose", "expected"),
    [
        (12, 72, "pre_session", []),
        (13, 72, "pre_session", [AMBER_YMRS]),
        (15, 72, "pre_session", [AMBER_YMRS]),
        (16, 72, "pre_session", [RED_YMRS]),
        (20, 72, "pre_session", [RED_YMRS]),
        (14, 47, "pre_session", []),
        (14, 48, "pre_session", [AMBER_YMRS]),
        (18, 72, "in_session", []),
    ],
    ids=["12", "13", "15", "16", "20", "47h", "48h", "in-session"],
)
def test_predose_ymrs_bands(total: int, hours: float, purpose: str, expected: list[str]) -> None:
    """Pre-dose YMRS (>= 48 h after the dose): 13-15 amber, >= 16 red."""
    assert ymrs_alerts(total, hours_after_dose=hours, purpose=purpose) == expected


def test_ymrs_rise_from_pre_treatment_baseline() -> None:
    """A rise of 7 from the pre-treatment YMRS is amber even below 13; 6 is not."""
    assert ymrs_alerts(9, baseline=2) == [AMBER_RISE]
    assert ymrs_alerts(8, baseline=2) == []
    assert ymrs_alerts(9) == [], "no pre-treatment YMRS: the rise rule cannot fire"


def test_ymrs_sleep_and_mood_items() -> None:
    """Item 4 >= 3 with item 1 >= 2 is red; either below is not."""
    assert ymrs_alerts(items={1: 2, 4: 3}) == [RED_SLEEP_MOOD]
    assert ymrs_alerts(items={1: 1, 4: 4}) == []
    assert ymrs_alerts(items={1: 4, 4: 2}) == []


@pytest.mark.parametrize(
    ("items", "hours", "expected"),
    [
        ({8: 6}, 72, [RED_PSYCHOSIS]),
        ({7: 3}, 72, [RED_PSYCHOSIS]),
        ({8: 5, 7: 2}, 72, []),
        ({8: 8}, 24, [RED_PSYCHOSIS]),
        ({8: 8}, 2, []),
    ],
    ids=["item8-6", "item7-3", "below", "day-after-dose", "acute"],
)
def test_psychotic_symptoms(
    items: dict[int, int | None], hours: float, expected: list[str]
) -> None:
    """Psychotic items are red outside the acute window (even < 48 h after the dose)."""
    assert ymrs_alerts(items=items, hours_after_dose=hours) == expected


def test_consecutive_predose_ymrs_at_13_is_red() -> None:
    """YMRS 13-15 on two consecutive pre-dose ratings is red (plus amber and persistence)."""
    history = History()
    history.dose(at(0))
    first = history.rate("ymrs", at(3), total=13, purpose="pre_session")
    history.dose(at(3, 10))
    assert fired(run(history, rating(first), at(3, 9, 5))) == [AMBER_YMRS]
    second = history.rate("ymrs", at(6), total=14, purpose="pre_session")
    hits = by_rule(run(history, rating(second), at(6, 9, 5)))
    assert set(hits) == {AMBER_YMRS, RED_REPEAT, RED_PERSIST_RATINGS}
    assert hits[RED_REPEAT].facts["ymrs_repeat_run"] == 2
    assert hits[RED_PERSIST_RATINGS].evidence_key == f"persistence:{first}"


def test_a_ymrs_below_the_repeat_level_breaks_the_run() -> None:
    """13, then 10, then 13 is not two consecutive ratings at 13."""
    history = History()
    for day, total in ((3, 13), (6, 10)):
        history.rate("ymrs", at(day), total=total, purpose="pre_session")
    third = history.rate("ymrs", at(9), total=13, purpose="pre_session")
    assert fired(run(history, rating(third), at(9, 10))) == [AMBER_YMRS]


def test_persistence_needs_ratings_48_hours_apart() -> None:
    """Amber ASRMs 35 h apart are not persistence; 48 h apart they are red."""
    history = History()
    first = history.rate("asrm", at(1, 9), total=6)
    close = history.rate("asrm", at(2, 20), total=7)
    assert fired(run(history, rating(close), at(2, 21))) == [AMBER_ASRM]
    later = history.rate("asrm", at(3, 9), total=6)
    hits = by_rule(run(history, rating(later), at(3, 10)))
    assert set(hits) == {AMBER_ASRM, RED_PERSIST_RATINGS}
    finding = hits[RED_PERSIST_RATINGS]
    assert (finding.level, finding.hold, finding.priority) == ("red", "red", "urgent")
    assert finding.ack_due_at == at(3, 11)
    assert finding.evidence_key == f"persistence:{first}"


def test_a_normal_rating_breaks_persistence() -> None:
    """A below-cut-off ASRM between two amber ones resets the run."""
    history = History()
    history.rate("asrm", at(1), total=6)
    history.rate("asrm", at(3), total=2)
    last = history.rate("asrm", at(5), total=6)
    assert fired(run(history, rating(last), at(5, 10))) == [AMBER_ASRM]


def test_diary_mood_amber_then_red_with_stable_evidence() -> None:
    """+2 on 2 days is amber; on 3 days red; the amber key stays the run's first day."""
    history = History()
    history.write(1, mood=2)
    assert fired(run(history, diary("diary:1"), at(1, 20))) == []
    second = history.write(2, mood=3)
    hits = by_rule(run(history, diary(second), at(2, 20)))
    assert list(hits) == [AMBER_MOOD]
    assert hits[AMBER_MOOD].evidence_key == f"diary-mood-streak:{day_of(1).isoformat()}"
    third = history.write(3, mood=2)
    hits = by_rule(run(history, diary(third), at(3, 20)))
    assert set(hits) == {AMBER_MOOD, RED_PERSIST_DIARY}
    assert hits[AMBER_MOOD].evidence_key == f"diary-mood-streak:{day_of(1).isoformat()}"
    assert hits[RED_PERSIST_DIARY].evidence_key == f"diary-amber-streak:{day_of(1).isoformat()}"


def test_diary_mood_of_one_is_not_amber_and_acute_entries_do_not_count() -> None:
    """+1 days never count; an acute post-dose +3 breaks the run."""
    history = History()
    history.write(1, mood=1)
    second = history.write(2, mood=1)
    assert fired(run(history, diary(second), at(2, 20))) == []
    history = History()
    history.write(1, mood=2)
    history.write(2, mood=3, acute=True)
    third = history.write(3, mood=2)
    assert fired(run(history, diary(third), at(3, 20))) == []


def test_late_entry_completes_a_run() -> None:
    """A diary for yesterday entered after today's still forms the run."""
    history = History()
    history.write(3, mood=2)
    late = history.write(2, mood=2)
    hits = by_rule(run(history, diary(late), at(3, 21)))
    assert hits[AMBER_MOOD].evidence_key == f"diary-mood-streak:{day_of(2).isoformat()}"


@pytest.mark.parametrize(
    ("baseline_days", "sleep", "less_need", "expected"),
    [
        (7, "5.5", True, [AMBER_SLEEP]),
        (7, "5.6", True, []),
        (7, "3.0", False, []),
        (6, "4.9", True, [AMBER_SLEEP]),
        (6, "5.0", True, []),
        (0, "4.0", True, [AMBER_SLEEP]),
    ],
    ids=["2h-below", "1.9h-below", "no-less-need", "fallback", "fallback-boundary", "no-diary"],
)
def test_sleep_rule_personal_baseline_and_fallback(
    baseline_days: int, sleep: str, less_need: bool, expected: list[str]
) -> None:
    """>= 2 h below a 7.5 h baseline with less need; < 5 h while the baseline is short."""
    history = History()
    history.baseline_diary(baseline_days)
    history.dose(at(0, 10))
    ref = history.write(3, sleep=sleep, less_need=less_need)
    findings = run(history, diary(ref), at(3, 20))
    assert fired(findings) == expected
    if expected:
        assert findings[0].facts["diary_baseline_days"] == baseline_days


def test_personal_baseline() -> None:
    """Mean of the days before the first dose; acute and post-dose days excluded."""
    history = History()
    history.baseline_diary(6, sleep="7")
    history.write(-4, mood=1, sleep="8")
    history.write(-1, sleep="1", acute=True)
    history.write(2, sleep="2")
    history.dose(at(0))
    baseline = personal_baseline(history.build(), tz=TZ, params=defaults())
    assert baseline is not None
    assert baseline.days == 7
    assert baseline.sleep_hours == Decimal("7.14")
    assert baseline.mood == Decimal("0.14")
    history.diary.pop(6)
    assert personal_baseline(history.build(), tz=TZ, params=defaults()) is None


def test_asrm_with_short_sleep_nights_is_red() -> None:
    """ASRM >= 6 with less need for sleep on 2 nights in the week is red, on either trigger."""
    history = History()
    history.write(3, less_need=True, sleep="7")
    asrm = history.rate("asrm", at(4, 12), total=6)
    assert fired(run(history, rating(asrm), at(4, 13))) == [AMBER_ASRM]
    night = history.write(5, less_need=True, sleep="7")
    hits = by_rule(run(history, diary(night), at(5, 20)))
    assert list(hits) == [RED_ASRM_SLEEP]
    assert hits[RED_ASRM_SLEEP].evidence_key == f"asrm-sleep:{asrm}"
    again = history.rate("asrm", at(5, 21), total=7)
    assert RED_ASRM_SLEEP in fired(run(history, rating(again), at(5, 22)))


def test_asrm_short_sleep_window() -> None:
    """Nights older than the window do not count."""
    history = History()
    history.write(-5, less_need=True, sleep="7")
    history.write(-4, less_need=True, sleep="7")
    asrm = history.rate("asrm", at(4, 12), total=6)
    assert fired(run(history, rating(asrm), at(4, 13))) == [AMBER_ASRM]
    findings = run(history, rating(asrm), at(4, 13), {"switch_red_asrm_sleep_window_days": 10})
    assert RED_ASRM_SLEEP in fired(findings)


def test_mixed_features_raise_red_and_the_suicide_workflow() -> None:
    """Depressive load + elevation + a suicide item: red AND the suicide workflow."""
    history = History()
    phq = history.rate("phq9", at(2), items={1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 9: 1})
    asrm = history.rate("asrm", at(3), total=7)
    hits = by_rule(run(history, rating(asrm), at(3, 10)))
    assert set(hits) == {SUICIDE_MIXED, AMBER_ASRM, RED_MIXED}
    assert hits[SUICIDE_MIXED].category == "suicidality"
    assert hits[SUICIDE_MIXED].show_crisis is True
    assert hits[RED_MIXED].level == "red"
    assert hits[RED_MIXED].show_crisis is True
    assert hits[RED_MIXED].evidence_key == hits[SUICIDE_MIXED].evidence_key == f"mixed:{phq}"


def test_mixed_features_need_all_three_conditions() -> None:
    """No suicide item, no elevation or no depressive load: no mixed-features alert."""
    for item9, asrm_total, load in ((0, 7, 2), (1, 5, 2), (1, 7, 1)):
        history = History()
        history.rate("phq9", at(2), items={1: load, 2: load, 3: load, 4: load, 5: 2, 9: item9})
        asrm = history.rate("asrm", at(3), total=asrm_total)
        assert RED_MIXED not in fired(run(history, rating(asrm), at(3, 10)))


def test_mixed_features_from_the_diary_and_the_window() -> None:
    """Two low-mood irritable days count as elevation; ratings older than 14 days do not."""
    history = History()
    history.rate("qids_sr16", at(1), items={5: 3, 10: 3, 11: 3, 13: 3, 12: 1})
    history.write(2, mood=-2, irritability=2)
    second = history.write(3, mood=-1, less_need=True)
    assert set(fired(run(history, diary(second), at(3, 20)))) == {SUICIDE_MIXED, RED_MIXED}
    history.write(16, mood=-2, irritability=3)
    late = history.write(17, mood=-2, irritability=3)
    assert fired(run(history, diary(late), at(17, 20))) == []


def test_modifier_escalation_moves_amber_to_red() -> None:
    """With the option on and a modifier present, amber is handled as red (urgent, red hold)."""
    history = History(risk_modifiers=frozenset({"bipolar_i"}))
    ref = history.rate("asrm", at(2, 10), total=6)
    default = run(history, rating(ref), at(2, 11))[0]
    assert (default.level, default.priority) == ("amber", "routine")
    escalated = run(history, rating(ref), at(2, 11), {"switch_risk_modifier_escalation": True})[0]
    assert (escalated.level, escalated.hold, escalated.priority) == ("red", "red", "urgent")
    assert escalated.ack_due_at == at(2, 12)
    assert escalated.facts["escalated_by_risk_modifier"] is True
    assert escalated.facts["risk_modifiers"] == ["bipolar_i"]
    no_modifier = History()
    ref = no_modifier.rate("asrm", at(2, 10), total=6)
    plain = run(no_modifier, rating(ref), at(2, 11), {"switch_risk_modifier_escalation": True})
    assert plain[0].level == "amber"


def test_amber_hold_can_be_switched_off() -> None:
    """switch_amber_blocks_next_session false: amber alerts hold nothing; red still holds."""
    history = History()
    ref = history.rate("asrm", at(2, 10), total=6)
    finding = run(history, rating(ref), at(2, 11), {"switch_amber_blocks_next_session": False})[0]
    assert (finding.level, finding.hold) == ("amber", "")


def test_post_session_watch() -> None:
    """The day of a session and the 3 days after it are watched (calendar days, clinic zone)."""
    history = History()
    history.dose(at(0, 10))
    built = history.build()
    assert not in_post_session_watch(built, at(0, 9), TZ, defaults())
    assert in_post_session_watch(built, at(0, 11), TZ, defaults())
    assert in_post_session_watch(built, at(3, 23, 59), TZ, defaults())
    assert not in_post_session_watch(built, at(4, 0, 1), TZ, defaults())
    assert in_post_session_watch(built, at(4, 9), TZ, {**defaults(), "post_session_watch_days": 4})
    ref = history.rate("asrm", at(2, 10), total=6)
    finding = run(history, rating(ref), at(2, 11))[0]
    assert finding.facts["in_post_session_watch"] is True
