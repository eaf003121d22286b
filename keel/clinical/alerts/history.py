"""Plain records of a patient's between-session history, the input of the alert rules.

The app layer builds a :class:`PatientHistory` from stored assessments, diary
entries, doses and assignments (no Django here) and asks
:func:`keel.clinical.alerts.evaluate_alerts` which alert rules fire for one
:class:`Trigger` (a new rating, a new diary entry, or the clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """One stored rating (an Assessment).

    ``instrument_id`` is a ``keel.clinical.instruments`` id ("phq9",
    "qids_sr16", "madrs", "ymrs", "asrm", "gad7", "cssrs_screen",
    "cssrs_since_last_visit", ...); ``answers`` holds one item score (or None)
    per item in item order; ``purpose`` is "baseline", "pre_session",
    "in_session" or "check_in"; ``acute_post_dose`` marks a rating taken in
    the acute window after a dose (REFERENCE.md §5.2).
    """

    ref: str
    instrument_id: str
    taken_at: datetime
    total: int | None
    answers: tuple[int | None, ...]
    flags: frozenset[str]
    purpose: str
    acute_post_dose: bool


@dataclass(frozen=True, slots=True)
class DiaryPoint:
    """One daily diary entry (REFERENCE.md §1.10); ``entry_date`` is the day it describes."""

    ref: str
    entry_date: date
    mood: int
    sleep_hours: Decimal
    felt_less_need_for_sleep: bool
    irritability: int
    energy: int
    medication_taken_as_prescribed: bool
    acute_post_dose: bool


@dataclass(frozen=True, slots=True)
class DosePoint:
    """One ketamine dose: when it started, route, dose and the course's session number."""

    ref: str
    at: datetime
    route: str
    dose_mg: Decimal | None
    session_number: int


@dataclass(frozen=True, slots=True)
class DueItem:
    """One assignment's schedule state (computed with ``keel.clinical.schedules``)."""

    instrument_id: str
    due_on: date | None
    days_overdue: int


@dataclass(frozen=True, slots=True)
class ExitCheckPoint:
    """A nurse's exit check at discharge (REFERENCE.md §6 "Safety"): what was still present.

    ``ref`` is the record's stable key ("exit_check:<pk>"); it is the trigger
    of an ``exit_check`` evaluation.
    """

    ref: str
    at: datetime
    mood_elevation: bool
    perceptual_change: bool
    new_suicidal_ideation: bool


@dataclass(frozen=True, slots=True)
class PatientHistory:
    """Everything the alert rules read about one patient.

    ``ratings``, ``diary`` and ``doses`` may come in any order.
    ``induction_sessions_planned`` is None when there is no treatment course;
    ``risk_modifiers`` are the §5.2 pre-treatment switch-risk modifiers
    (e.g. "bipolar_i", "no_antimanic", "antidepressant", "rapid_cycling",
    "past_switch"); ``diary_expected_since`` is the first day a daily diary
    was assigned (None: no diary assignment).
    """

    ratings: tuple[RatingPoint, ...]
    diary: tuple[DiaryPoint, ...]
    doses: tuple[DosePoint, ...]
    induction_sessions_planned: int | None
    risk_modifiers: frozenset[str]
    diary_expected_since: date | None
    due: tuple[DueItem, ...] = ()
    exit_checks: tuple[ExitCheckPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class Trigger:
    """What prompted an evaluation: kind "rating", "diary" or "clock", and the record's ref."""

    kind: str
    ref: str


@dataclass(frozen=True, slots=True)
class AlertFinding:
    """One fired alert rule, with everything the alerts app stores.

    ``title`` and ``action`` are the rule's title and message; ``ack_due_at``
    comes from the rule's response-time parameter; ``evidence_key`` is a
    stable key of the data that fired it (the app never raises the same
    alert twice for the same evidence); ``facts`` are JSON-able (numbers as
    text where they are decimals) so re-running reproduces the finding.
    """

    rule_id: str
    protocol_id: str
    protocol_version: str
    category: str
    priority: str
    level: str
    hold: str
    title: str
    action: str
    notify_psychiatrist: bool
    show_crisis: bool
    ack_due_at: datetime
    evidence_key: str
    facts: Mapping[str, object]
