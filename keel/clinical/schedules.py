"""Due / overdue state of a recurring assignment (a scale or the daily diary).

Pure date arithmetic, no clock: the caller passes ``today`` (the clinic's
local date).

The rule
--------
An assignment with frequency ``daily``, ``weekly``, ``fortnightly`` or
``monthly`` has *occurrences* every 1, 7, 14 or 28 days from ``start_date``
("monthly" is every four weeks, as the monitoring app's frequency choices
say). Occurrence *k* is due on ``start_date + k * period``; its *window* runs
from that day to the day before the next occurrence.

- An occurrence is **done** when the assignment was completed on or after
  its due day (a completion inside a later window also settles every earlier
  one: only the latest completion is known). A completion before
  ``start_date`` counts for nothing.
- The *outstanding* occurrence is the first one due after the window of the
  latest completion (the first occurrence when there is none).
- Status on ``today``:

  - ``not_started``: ``today`` is before ``start_date`` (``due_on`` is the
    start date);
  - ``ended``: ``today`` is after ``end_date`` (``due_on`` None);
  - ``done``: the outstanding occurrence is due after ``today`` (``due_on``
    is its due day), or it would be due after ``end_date`` (``due_on``
    None);
  - ``due``: the outstanding occurrence is due ``today``;
  - ``overdue``: it was due before ``today``; ``days_overdue`` is
    ``today - due_on`` (0 in every other status).

Example: a weekly PHQ-9 starting Monday 2 November, last completed Tuesday
10 November (inside the window of 9 November) is done until Monday 16
November, due that day, and overdue by 3 days on Thursday 19 November.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

PERIOD_DAYS: Final = MappingProxyType({"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 28})
"""Days between occurrences for each frequency."""


class ScheduleStatus(StrEnum):
    """The state of an assignment on one day (compares equal to its text)."""

    NOT_STARTED = "not_started"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """The state of an assignment on one day; see the module docstring for the rule."""

    due_on: date | None
    status: str
    days_overdue: int


def period_days(frequency: str) -> int:
    """Return the days between occurrences; ValueError names an unknown frequency."""
    try:
        return PERIOD_DAYS[frequency]
    except KeyError:
        allowed = ", ".join(PERIOD_DAYS)
        raise ValueError(f"unknown frequency {frequency!r} (allowed: {allowed})") from None


def occurrence_due(
    frequency: str,
    start_date: date,
    end_date: date | None,
    last_completed_on: date | None,
    today: date,
) -> ScheduleState:
    """Return the schedule state of an assignment on ``today``.

    Raises ValueError for an unknown frequency or an ``end_date`` before
    ``start_date``. Example::

        occurrence_due("weekly", date(2026, 11, 2), None, date(2026, 11, 10), date(2026, 11, 19))
        # ScheduleState(due_on=date(2026, 11, 16), status="overdue", days_overdue=3)
    """
    period = period_days(frequency)
    if end_date is not None and end_date < start_date:
        raise ValueError("end_date must not be before start_date")
    if today < start_date:
        return ScheduleState(start_date, ScheduleStatus.NOT_STARTED.value, 0)
    if end_date is not None and today > end_date:
        return ScheduleState(None, ScheduleStatus.ENDED.value, 0)
    outstanding = start_date
    if last_completed_on is not None and last_completed_on >= start_date:
        completed_index = (last_completed_on - start_date).days // period
        outstanding = start_date + timedelta(days=(completed_index + 1) * period)
    if end_date is not None and outstanding > end_date:
        return ScheduleState(None, ScheduleStatus.DONE.value, 0)
    if outstanding > today:
        return ScheduleState(outstanding, ScheduleStatus.DONE.value, 0)
    if outstanding == today:
        return ScheduleState(outstanding, ScheduleStatus.DUE.value, 0)
    return ScheduleState(outstanding, ScheduleStatus.OVERDUE.value, (today - outstanding).days)
