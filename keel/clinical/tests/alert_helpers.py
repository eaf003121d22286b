"""Builders for alert tests: a patient history assembled step by step, and evaluation."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from keel.clinical.alerts import (
    AlertFinding,
    DiaryPoint,
    DosePoint,
    DueItem,
    PatientHistory,
    RatingPoint,
    Trigger,
    evaluate_alerts,
)
from keel.clinical.protocol import Value, resolve_params
from keel.clinical.protocol.tests.helpers import default_protocol

TZ: Final = ZoneInfo("America/New_York")
START: Final = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
"""Monday 2 November 2026, 09:00 in the clinic's time zone."""

ITEM_COUNTS: Final = {
    "phq9": 9,
    "qids_sr16": 16,
    "madrs": 10,
    "ymrs": 11,
    "asrm": 5,
    "gad7": 7,
    "cssrs_screen": 7,
    "cssrs_since_last_visit": 6,
}


@functools.cache
def defaults() -> Mapping[str, Value]:
    """Return the shipped parameter values."""
    return resolve_params(default_protocol())


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Return day ``day`` (0 = Monday 2 November 2026) at ``hour``:``minute`` local time."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=day)


def day_of(day: int) -> date:
    """Return the calendar date of day ``day``."""
    return at(day).date()


def answers_for(instrument: str, items: Mapping[int, int | None] | None = None) -> list[int | None]:
    """Return all-zero answers with ``items`` (1-based) set."""
    answers: list[int | None] = [0] * ITEM_COUNTS[instrument]
    if instrument == "cssrs_screen":
        answers = [0, 0, None, None, None, 0, None]
    elif instrument == "cssrs_since_last_visit":
        answers = [0, 0, None, None, None, 0]
    for number, value in (items or {}).items():
        answers[number - 1] = value
    return answers


@dataclass
class History:
    """A mutable history builder; ``build()`` returns the frozen PatientHistory."""

    ratings: list[RatingPoint] = field(default_factory=list)
    diary: list[DiaryPoint] = field(default_factory=list)
    doses: list[DosePoint] = field(default_factory=list)
    induction_sessions_planned: int | None = None
    risk_modifiers: frozenset[str] = frozenset()
    diary_expected_since: date | None = None
    due: list[DueItem] = field(default_factory=list)

    def rate(
        self,
        instrument: str,
        when: datetime,
        *,
        total: int | None = None,
        items: Mapping[int, int | None] | None = None,
        purpose: str = "check_in",
        acute: bool = False,
        ref: str | None = None,
    ) -> str:
        """Add a rating; with only ``total`` the answers are zeros (totals are taken as given)."""
        answers = answers_for(instrument, items)
        if total is None and all(value is not None for value in answers):
            total = sum(value for value in answers if value is not None)
        ref = ref or f"assessment:{len(self.ratings) + 1}"
        self.ratings.append(
            RatingPoint(
                ref=ref,
                instrument_id=instrument,
                taken_at=when,
                total=total,
                answers=tuple(answers),
                flags=frozenset(),
                purpose=purpose,
                acute_post_dose=acute,
            )
        )
        return ref

    def write(
        self,
        day: int,
        *,
        mood: int = 0,
        sleep: str = "7.5",
        less_need: bool = False,
        irritability: int = 0,
        acute: bool = False,
    ) -> str:
        """Add a diary entry for day ``day``."""
        ref = f"diary:{len(self.diary) + 1}"
        self.diary.append(
            DiaryPoint(
                ref=ref,
                entry_date=day_of(day),
                mood=mood,
                sleep_hours=Decimal(sleep),
                felt_less_need_for_sleep=less_need,
                irritability=irritability,
                energy=0,
                medication_taken_as_prescribed=True,
                acute_post_dose=acute,
            )
        )
        return ref

    def dose(self, when: datetime, session: int | None = None) -> str:
        """Add a dose (session numbers count up by default)."""
        number = session if session is not None else len(self.doses) + 1
        ref = f"dose:{len(self.doses) + 1}"
        self.doses.append(DosePoint(ref, when, "iv_racemic_ketamine", Decimal(35), number))
        return ref

    def baseline_diary(self, days: int, *, first: int = -10, sleep: str = "7.5") -> None:
        """Add ``days`` ordinary diary days from day ``first``."""
        for offset in range(days):
            self.write(first + offset, sleep=sleep)

    def build(self) -> PatientHistory:
        """Return the frozen history."""
        return PatientHistory(
            ratings=tuple(self.ratings),
            diary=tuple(self.diary),
            doses=tuple(self.doses),
            induction_sessions_planned=self.induction_sessions_planned,
            risk_modifiers=self.risk_modifiers,
            diary_expected_since=self.diary_expected_since,
            due=tuple(self.due),
        )


def run(
    history: History | PatientHistory,
    trigger: Trigger,
    now: datetime,
    params: Mapping[str, object] | None = None,
) -> tuple[AlertFinding, ...]:
    """Evaluate the shipped protocol's alert rules."""
    built = history.build() if isinstance(history, History) else history
    return evaluate_alerts(default_protocol(), built, trigger, now=now, tz=TZ, params=params)


def rating(ref: str) -> Trigger:
    """Return a rating trigger."""
    return Trigger("rating", ref)


def diary(ref: str) -> Trigger:
    """Return a diary trigger."""
    return Trigger("diary", ref)


CLOCK: Final = Trigger("clock", "clock")


def fired(findings: tuple[AlertFinding, ...]) -> list[str]:
    """Return the fired rule ids, in rule order."""
    return [finding.rule_id for finding in findings]


def by_rule(findings: tuple[AlertFinding, ...]) -> dict[str, AlertFinding]:
    """Return the findings by rule id (one per rule)."""
    return {finding.rule_id: finding for finding in findings}


def without(history: PatientHistory, **changes: object) -> PatientHistory:
    """Return ``history`` with fields replaced."""
    return replace(history, **changes)  # type: ignore[arg-type]
