"""Names shared by the worklist and the life chart: instruments, severities, SQL helpers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Func, IntegerField, Q, Value, When

from keel.alerts.models import AlertLevel, AlertPriority, AlertStatus
from keel.treatment.models import SessionState

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

#: The worklist's score columns, in display order: depression scales, then mania scales.
DEPRESSION_INSTRUMENTS: tuple[str, ...] = ("phq9", "qids_sr16", "madrs")
MANIA_INSTRUMENTS: tuple[str, ...] = ("asrm", "ymrs")
WORKLIST_INSTRUMENTS: tuple[str, ...] = (*DEPRESSION_INSTRUMENTS, *MANIA_INSTRUMENTS)
INSTRUMENT_LABELS: Mapping[str, str] = {
    "phq9": "PHQ-9",
    "qids_sr16": "QIDS-SR16",
    "madrs": "MADRS",
    "asrm": "ASRM",
    "ymrs": "YMRS",
    "gad7": "GAD-7",
    "diary": "Daily diary",
}
#: Assignment id of the daily mood / sleep diary (keel.monitoring.models.Assignment).
DIARY = "diary"
UNFINISHED_SESSION_STATES: tuple[str, ...] = (
    SessionState.SCHEDULED,
    SessionState.CHECKED_IN,
    SessionState.PRE_CHECKS,
    SessionState.DOSING,
    SessionState.MONITORING,
    SessionState.RECOVERY,
)
#: Sort rank of a patient without unresolved alerts (after every alert rank).
NO_ALERT_RANK = 99


# ---------------------------------------------------------------- severity of an alert


class Severity(StrEnum):
    """How an unresolved alert is shown and sorted (most severe first)."""

    URGENT = "urgent"
    RED = "red"
    AMBER = "amber"
    ROUTINE = "routine"

    @property
    def label(self) -> str:
        return {
            Severity.URGENT: "Urgent",
            Severity.RED: "Red",
            Severity.AMBER: "Amber",
            Severity.ROUTINE: "Routine",
        }[self]


SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)


def alert_severity(*, priority: str, level: str) -> Severity:
    """An alert's severity: a red or amber level names it; else its priority does."""
    if level == AlertLevel.RED:
        return Severity.RED
    if level == AlertLevel.AMBER:
        return Severity.AMBER
    if priority == AlertPriority.URGENT:
        return Severity.URGENT
    return Severity.ROUTINE


def alert_rank_expression() -> Case:
    """SQL rank of one alert: severity first, then not yet acknowledged before acknowledged.

    Must agree with :func:`alert_rank`.
    """
    unacknowledged = Q(status=AlertStatus.OPEN)
    return Case(
        When(Q(level=AlertLevel.RED) & unacknowledged, then=Value(2)),
        When(level=AlertLevel.RED, then=Value(3)),
        When(Q(level=AlertLevel.AMBER) & unacknowledged, then=Value(4)),
        When(level=AlertLevel.AMBER, then=Value(5)),
        When(Q(priority=AlertPriority.URGENT) & unacknowledged, then=Value(0)),
        When(priority=AlertPriority.URGENT, then=Value(1)),
        When(unacknowledged, then=Value(6)),
        default=Value(7),
        output_field=IntegerField(),
    )


def alert_rank(*, priority: str, level: str, status: str) -> int:
    """The same rank as the SQL expression, for alerts already in memory."""
    severity = alert_severity(priority=priority, level=level)
    return 2 * SEVERITY_ORDER.index(severity) + (0 if status == AlertStatus.OPEN else 1)


# ---------------------------------------------------------------- SQL helpers


class DayNumber(Func):
    """Whole days since a fixed epoch for a DATE expression (SQLite and PostgreSQL).

    Only differences between day numbers mean anything: the epoch differs by
    database. Lets the overdue rule of ``keel.clinical.schedules`` (occurrences
    every *period* days from the start date) run in SQL.
    """

    output_field = IntegerField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            **extra_context,
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return self.as_sql(
            compiler,
            connection,
            template="((%(expressions)s)::date - DATE '1970-01-01')",
            **extra_context,
        )


class ScalarMax(Func):
    """``MAX(expr)`` over a whole correlated subquery, without Django's GROUP BY.

    Django's ``Max`` makes a subquery group by a column, which SQLite runs
    with a temporary B-tree on every evaluation; a plain scalar aggregate
    does not need one.
    """

    function = "MAX"


class ScalarMin(Func):
    """``MIN(expr)`` over a whole correlated subquery (see :class:`ScalarMax`)."""

    function = "MIN"
