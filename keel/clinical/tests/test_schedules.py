"""Due / overdue state of recurring assignments: golden cases and hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.schedules import PERIOD_DAYS, ScheduleState, occurrence_due

MONDAY = date(2026, 11, 2)


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


@pytest.mark.parametrize(
    ("frequency", "end", "last", "today", "expected"),
    [
        ("weekly", None, None, day(-1), ScheduleState(day(0), "not_started", 0)),
        ("weekly", None, None, day(0), ScheduleState(day(0), "due", 0)),
        ("weekly", None, None, day(3), ScheduleState(day(0), "overdue", 3)),
        ("weekly", None, day(0), day(3), ScheduleState(day(7), "done", 0)),
        ("weekly", None, day(8), day(10), ScheduleState(day(14), "done", 0)),
        ("weekly", None, day(8), day(14), ScheduleState(day(14), "due", 0)),
        ("weekly", None, day(8), day(17), ScheduleState(day(14), "overdue", 3)),
        ("weekly", None, day(2), day(20), ScheduleState(day(7), "overdue", 13)),
        ("weekly", None, day(-3), day(2), ScheduleState(day(0), "overdue", 2)),
        ("daily", None, day(4), day(5), ScheduleState(day(5), "due", 0)),
        ("daily", None, day(1), day(5), ScheduleState(day(2), "overdue", 3)),
        ("fortnightly", None, day(13), day(13), ScheduleState(day(14), "done", 0)),
        ("monthly", None, None, day(27), ScheduleState(day(0), "overdue", 27)),
        ("monthly", None, day(1), day(27), ScheduleState(day(28), "done", 0)),
        ("weekly", day(20), day(15), day(18), ScheduleState(None, "done", 0)),
        ("weekly", day(20), None, day(21), ScheduleState(None, "ended", 0)),
        ("weekly", day(20), None, day(20), ScheduleState(day(0), "overdue", 20)),
    ],
    ids=[
        "before-start",
        "first-due-day",
        "first-overdue",
        "done-this-week",
        "done-mid-window",
        "next-due",
        "next-overdue",
        "missed-weeks-count-from-the-oldest",
        "completion-before-start-ignored",
        "daily-due",
        "daily-overdue",
        "fortnightly-done",
        "monthly-is-four-weeks",
        "monthly-done",
        "last-occurrence-done",
        "ended",
        "end-day-still-counts",
    ],
)
def test_golden_cases(
    frequency: str, end: date | None, last: date | None, today: date, expected: ScheduleState
) -> None:
    """The documented rule, case by case."""
    assert occurrence_due(frequency, MONDAY, end, last, today) == expected


def test_bad_input_is_refused() -> None:
    """Unknown frequency and an end before the start are errors."""
    with pytest.raises(ValueError, match="unknown frequency 'hourly'"):
        occurrence_due("hourly", MONDAY, None, None, MONDAY)
    with pytest.raises(ValueError, match="end_date"):
        occurrence_due("weekly", MONDAY, day(-1), None, MONDAY)


FREQUENCIES = st.sampled_from(sorted(PERIOD_DAYS))
OFFSETS = st.integers(-30, 120)
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@SETTINGS
@given(frequency=FREQUENCIES, last=st.none() | OFFSETS, today=OFFSETS)
def test_state_is_consistent(frequency: str, last: int | None, today: int) -> None:
    """days_overdue > 0 exactly when overdue; a due day is an occurrence day; due_on fits."""
    last_day = None if last is None else day(last)
    state = occurrence_due(frequency, MONDAY, None, last_day, day(today))
    assert (state.days_overdue > 0) is (state.status == "overdue")
    assert state.days_overdue >= 0
    if state.due_on is not None:
        assert (state.due_on - MONDAY).days % PERIOD_DAYS[frequency] == 0
    if state.status == "overdue":
        assert state.due_on is not None
        assert state.days_overdue == (day(today) - state.due_on).days
    if state.status == "done":
        assert state.due_on is not None and state.due_on > day(today)
    if state.status == "due":
        assert state.due_on == day(today)


@SETTINGS
@given(frequency=FREQUENCIES, last=st.none() | OFFSETS, today=st.integers(0, 120))
def test_completing_today_means_done(frequency: str, last: int | None, today: int) -> None:
    """Whatever came before, completing it today leaves nothing due or overdue today."""
    del last
    state = occurrence_due(frequency, MONDAY, None, day(today), day(today))
    assert state.status == "done"
    assert state.days_overdue == 0


@SETTINGS
@given(frequency=FREQUENCIES, last=st.none() | OFFSETS, today=st.integers(0, 120))
def test_overdue_grows_one_day_at_a_time(frequency: str, last: int | None, today: int) -> None:
    """Without a new completion, tomorrow is overdue by one more day (or becomes overdue)."""
    last_day = None if last is None else day(last)
    now = occurrence_due(frequency, MONDAY, None, last_day, day(today))
    tomorrow = occurrence_due(frequency, MONDAY, None, last_day, day(today + 1))
    if now.status in ("due", "overdue"):
        assert tomorrow.status == "overdue"
        assert tomorrow.days_overdue == now.days_overdue + 1
        assert tomorrow.due_on == now.due_on


@SETTINGS
@given(frequency=FREQUENCIES, last=st.none() | OFFSETS, later=OFFSETS, today=st.integers(0, 120))
def test_a_later_completion_never_makes_it_more_overdue(
    frequency: str, last: int | None, later: int, today: int
) -> None:
    """Completing later (not after today) never increases days_overdue."""
    if last is None or later < last or later > today:
        return
    before = occurrence_due(frequency, MONDAY, None, day(last), day(today))
    after = occurrence_due(frequency, MONDAY, None, day(later), day(today))
    assert after.days_overdue <= before.days_overdue
