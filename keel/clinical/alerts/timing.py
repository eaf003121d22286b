"""Clock helpers for alerts: business days, the post-session watch, the acute window.

Pure functions on aware datetimes; the clinic's time zone decides what a
calendar day, a weekend and "end of day" are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from keel.clinical.acute_window import in_acute_window
from keel.clinical.alerts import _params as p
from keel.clinical.alerts.history import DosePoint, PatientHistory

SATURDAY: Final = 5
"""``date.weekday()`` of Saturday; Saturday and Sunday are not business days."""

END_OF_DAY: Final = time(23, 59, 59)


def require_aware(moment: datetime, name: str) -> None:
    """Raise ValueError unless ``moment`` carries a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone)")


def local_date(moment: datetime, tz: tzinfo) -> date:
    """Return the calendar day of ``moment`` in ``tz``."""
    return moment.astimezone(tz).date()


def is_business_day(day: date) -> bool:
    """Return True from Monday to Friday (no holiday calendar)."""
    return day.weekday() < SATURDAY


def add_business_days(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """Return ``moment`` plus ``days`` business days, keeping the local time of day.

    Saturdays and Sundays in ``tz`` are skipped: Friday 15:00 + 1 is Monday
    15:00, Saturday 10:00 + 1 is Monday 10:00. ``days == 0`` means "by the
    end of this business day" (23:59:59 local; on a weekend, the end of the
    next Monday). Raises ValueError for a negative count or a naive moment.
    """
    require_aware(moment, "moment")
    if days < 0:
        raise ValueError("days must not be negative")
    local = moment.astimezone(tz)
    day = local.date()
    if days == 0:
        while not is_business_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, END_OF_DAY, tzinfo=tz)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)


def last_dose_before(doses: tuple[DosePoint, ...], moment: datetime) -> DosePoint | None:
    """Return the latest dose given at or before ``moment``."""
    earlier = [dose for dose in doses if dose.at <= moment]
    return max(earlier, key=lambda dose: (dose.at, dose.ref)) if earlier else None


def within_acute_window(
    doses: tuple[DosePoint, ...], moment: datetime, params: Mapping[str, object]
) -> bool:
    """Return True when ``moment`` is 0 to switch_acute_post_dose_exclusion_hours after a dose.

    Both ends included; the same definition the session record tags ratings with
    (``keel.clinical.acute_window``).
    """
    hours = p.integer(params, "switch_acute_post_dose_exclusion_hours")
    return any(in_acute_window(moment, dose.at, hours) for dose in doses)


def in_post_session_watch(
    history: PatientHistory, now: datetime, tz: tzinfo, params: Mapping[str, object]
) -> bool:
    """Return True from the day of a session to ``post_session_watch_days`` days after it.

    REFERENCE.md §5.2: the days after each session are a heightened-watch
    period (the diary is prompted daily; amber findings are surfaced on the
    prescriber's list the same day). Counted in calendar days in ``tz``:
    with the default 3, a session on Monday is watched until the end of
    Thursday. Only doses given at or before ``now`` count.
    """
    require_aware(now, "now")
    last = last_dose_before(history.doses, now)
    if last is None:
        return False
    elapsed = (local_date(now, tz) - local_date(last.at, tz)).days
    return 0 <= elapsed <= p.integer(params, "post_session_watch_days")
