"""The worklist's page: its rows assembled from one query per kind of data.

After ``worklist_query.worklist_queryset`` has chosen the page's patients,
their ratings, alerts, check-ins and sessions come from a fixed number of
queries for those ids, whatever the clinic's size (docs/worklist.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, OrderBy, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from keel.alerts.models import Alert, AlertCategory, AlertStatus
from keel.clinical.outcomes import Outcome, change_from_baseline
from keel.clinical.schedules import occurrence_due
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry
from keel.outcomes.selectors.common import (
    DEPRESSION_INSTRUMENTS,
    DIARY,
    INSTRUMENT_LABELS,
    MANIA_INSTRUMENTS,
    SEVERITY_ORDER,
    UNFINISHED_SESSION_STATES,
    WORKLIST_INSTRUMENTS,
    Severity,
    alert_rank,
    alert_severity,
)
from keel.outcomes.selectors.worklist_query import (
    Phase,
    WorklistFilters,
    completed_check_ins,
    phase_annotations,
    worklist_filtered,
    worklist_queryset,
)
from keel.patients.models import Patient
from keel.treatment.models import TreatmentSession

PAGE_SIZE = 50


# ---------------------------------------------------------------- one page of rows


@dataclass(frozen=True)
class ScoreCell:
    """The newest rating of one instrument and its change since baseline."""

    instrument_id: str
    total: int
    taken_on: dt.date
    baseline_total: int | None
    baseline_is_intake: bool
    outcome: Outcome | None

    @property
    def label(self) -> str:
        return INSTRUMENT_LABELS[self.instrument_id]

    @property
    def change(self) -> int | None:
        """Points since baseline (negative: lower than at baseline)."""
        if self.baseline_total is None:
            return None
        return self.total - self.baseline_total

    @property
    def change_text(self) -> str:
        """The change with its sign: "+4", "±0", or a minus sign (U+2212) and the points."""
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "±0"
        return f"+{change}" if change > 0 else f"\N{MINUS SIGN}{-change}"


@dataclass(frozen=True)
class AlertBrief:
    alert_id: int
    severity: Severity
    category_label: str
    title: str
    status: str
    raised_at: dt.datetime
    holds_next_session: bool

    @property
    def acknowledged(self) -> bool:
        return self.status == AlertStatus.ACKNOWLEDGED


@dataclass(frozen=True)
class AlertSummary:
    """Unresolved alerts of one patient: counts by severity and the most severe one."""

    counts: Mapping[Severity, int]
    most_severe: AlertBrief | None
    holds_next_session: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def count_items(self) -> list[tuple[Severity, int]]:
        return [(s, self.counts[s]) for s in SEVERITY_ORDER if self.counts.get(s)]


@dataclass(frozen=True)
class CheckInState:
    """One assignment's state today (from ``occurrence_due``)."""

    instrument_id: str
    frequency: str
    status: str
    due_on: dt.date | None
    days_overdue: int
    last_completed_on: dt.date | None

    @property
    def label(self) -> str:
        return INSTRUMENT_LABELS.get(self.instrument_id, self.instrument_id)


@dataclass(frozen=True)
class WorklistRow:
    patient: Patient
    phase: Phase
    scores: Mapping[str, ScoreCell | None]
    alerts: AlertSummary
    check_ins: Sequence[CheckInState]
    next_session_at: dt.datetime | None
    next_session_number: int | None

    @property
    def depression_scores(self) -> list[ScoreCell]:
        return [c for i in DEPRESSION_INSTRUMENTS if (c := self.scores.get(i)) is not None]

    @property
    def mania_scores(self) -> list[ScoreCell]:
        return [c for i in MANIA_INSTRUMENTS if (c := self.scores.get(i)) is not None]

    @property
    def overdue(self) -> list[CheckInState]:
        return [c for c in self.check_ins if c.status == "overdue"]

    @property
    def due(self) -> list[CheckInState]:
        return [c for c in self.check_ins if c.status == "due"]


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    count: int
    page_number: int
    page_size: int
    filters: WorklistFilters
    today: dt.date

    @property
    def has_next(self) -> bool:
        return self.page_number * self.page_size < self.count

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.count // self.page_size))


@dataclass
class _Ratings:
    latest: dict[tuple[int, str], tuple[int, dt.datetime]] = field(default_factory=dict)
    baseline: dict[tuple[int, str], int] = field(default_factory=dict)
    first: dict[tuple[int, str], int] = field(default_factory=dict)


def _first_per_instrument(
    ratings: QuerySet[Assessment], *order: OrderBy
) -> list[Mapping[str, Any]]:
    """The first row of each (patient, instrument) in ``order``, by a window function."""
    return list(
        ratings.annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("patient_id"), F("instrument_id")],
                order_by=list(order),
            )
        )
        .filter(row=1)
        .order_by()
        .values("patient_id", "instrument_id", "total", "taken_at")
    )


def _ratings_for(patient_ids: Sequence[int]) -> _Ratings:
    """Latest (not acute post-dose), baseline-purpose and first totals: three queries."""
    scored = Assessment.objects.filter(
        patient_id__in=patient_ids, instrument_id__in=WORKLIST_INSTRUMENTS, total__isnull=False
    )
    newest = (F("taken_at").desc(), F("pk").desc())
    ratings = _Ratings()
    for row in _first_per_instrument(scored.filter(acute_post_dose=False), *newest):
        key = (row["patient_id"], row["instrument_id"])
        ratings.latest[key] = (row["total"], row["taken_at"])
    for row in _first_per_instrument(scored.filter(purpose=AssessmentPurpose.BASELINE), *newest):
        ratings.baseline[(row["patient_id"], row["instrument_id"])] = row["total"]
    for row in _first_per_instrument(scored, F("taken_at").asc(), F("pk").asc()):
        ratings.first[(row["patient_id"], row["instrument_id"])] = row["total"]
    return ratings


def _score_cells(
    patient_id: int, ratings: _Ratings, params: Mapping[str, object], tz: dt.tzinfo
) -> dict[str, ScoreCell | None]:
    cells: dict[str, ScoreCell | None] = {}
    for instrument_id in WORKLIST_INSTRUMENTS:
        key = (patient_id, instrument_id)
        latest = ratings.latest.get(key)
        if latest is None:
            cells[instrument_id] = None
            continue
        total, taken_at = latest
        baseline = ratings.baseline.get(key)
        is_intake = baseline is not None
        if baseline is None:
            baseline = ratings.first.get(key)
        outcome = (
            change_from_baseline(instrument_id, baseline, total, params)
            if instrument_id in DEPRESSION_INSTRUMENTS
            else None
        )
        cells[instrument_id] = ScoreCell(
            instrument_id=instrument_id,
            total=total,
            taken_on=timezone.localtime(taken_at, tz).date(),
            baseline_total=baseline,
            baseline_is_intake=is_intake,
            outcome=outcome,
        )
    return cells


def _alerts_for(patient_ids: Sequence[int]) -> dict[int, AlertSummary]:
    """Unresolved alerts (and resolved ones still holding a session) of the page's patients."""
    rows = (
        Alert.objects.filter(patient_id__in=patient_ids)
        .filter(~Q(status=AlertStatus.RESOLVED) | (~Q(hold="") & Q(hold_cleared_at__isnull=True)))
        .order_by("raised_at", "pk")
        .values(
            "pk",
            "patient_id",
            "priority",
            "level",
            "status",
            "category",
            "title",
            "raised_at",
            "hold",
            "hold_cleared_at",
        )
    )
    grouped: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["patient_id"]].append(row)
    summaries: dict[int, AlertSummary] = {}
    for patient_id, alerts in grouped.items():
        unresolved = [a for a in alerts if a["status"] != AlertStatus.RESOLVED]
        counts: dict[Severity, int] = defaultdict(int)
        for a in unresolved:
            counts[alert_severity(priority=a["priority"], level=a["level"])] += 1
        holds = any(a["hold"] and a["hold_cleared_at"] is None for a in alerts)
        most: AlertBrief | None = None
        if unresolved:
            top = min(
                unresolved,
                key=lambda a: (
                    alert_rank(priority=a["priority"], level=a["level"], status=a["status"]),
                    a["raised_at"],
                ),
            )
            most = AlertBrief(
                alert_id=top["pk"],
                severity=alert_severity(priority=top["priority"], level=top["level"]),
                category_label=str(AlertCategory(top["category"]).label)
                if top["category"] in AlertCategory.values
                else top["category"],
                title=top["title"],
                status=top["status"],
                raised_at=top["raised_at"],
                holds_next_session=bool(top["hold"]) and top["hold_cleared_at"] is None,
            )
        summaries[patient_id] = AlertSummary(
            counts=dict(counts), most_severe=most, holds_next_session=holds
        )
    return summaries


def _check_ins_for(
    patient_ids: Sequence[int], *, today: dt.date, tz: dt.tzinfo
) -> dict[int, list[CheckInState]]:
    """Active assignments with their state today (three queries for the whole page)."""
    assignments = list(
        Assignment.objects.filter(patient_id__in=patient_ids, active=True)
        .order_by("patient_id", "instrument_id", "pk")
        .values("patient_id", "instrument_id", "frequency", "start_date", "end_date")
    )
    last_rating = {
        (r["patient_id"], r["instrument_id"]): timezone.localtime(r["last"], tz).date()
        for r in completed_check_ins()
        .filter(patient_id__in=patient_ids)
        .order_by()
        .values("patient_id", "instrument_id")
        .annotate(last=Max("taken_at"))
    }
    last_diary = {
        r["patient_id"]: r["last"]
        for r in DiaryEntry.objects.filter(patient_id__in=patient_ids)
        .order_by()
        .values("patient_id")
        .annotate(last=Max("entry_date"))
    }
    states: dict[int, list[CheckInState]] = defaultdict(list)
    for a in assignments:
        patient_id, instrument_id = a["patient_id"], a["instrument_id"]
        last = (
            last_diary.get(patient_id)
            if instrument_id == DIARY
            else last_rating.get((patient_id, instrument_id))
        )
        state = occurrence_due(a["frequency"], a["start_date"], a["end_date"], last, today)
        states[patient_id].append(
            CheckInState(
                instrument_id=instrument_id,
                frequency=a["frequency"],
                status=str(state.status),
                due_on=state.due_on,
                days_overdue=state.days_overdue,
                last_completed_on=last,
            )
        )
    for items in states.values():
        items.sort(key=lambda c: (c.status != "overdue", -c.days_overdue, c.status != "due"))
    return states


def _sessions_for(
    patient_ids: Sequence[int], *, start_of_today: dt.datetime
) -> tuple[dict[int, tuple[dt.datetime, int]], dict[int, Phase]]:
    """Next unfinished session and course phase of each of the page's patients (one query)."""
    patients = phase_annotations(Patient.objects.filter(pk__in=patient_ids).order_by())
    upcoming = TreatmentSession.objects.filter(
        patient_id=OuterRef("pk"),
        state__in=UNFINISHED_SESSION_STATES,
        scheduled_for__gte=start_of_today,
    ).order_by("scheduled_for", "pk")
    rows = patients.annotate(
        next_at=Subquery(upcoming.values("scheduled_for")[:1]),
        next_number=Subquery(upcoming.values("number")[:1]),
    ).values("pk", "phase", "next_at", "next_number")
    sessions: dict[int, tuple[dt.datetime, int]] = {}
    phases: dict[int, Phase] = {}
    for row in rows:
        phases[row["pk"]] = Phase(row["phase"])
        if row["next_at"] is not None:
            sessions[row["pk"]] = (row["next_at"], row["next_number"])
    return sessions, phases


def worklist_page(
    *,
    clinic_id: int,
    tz: dt.tzinfo,
    filters: WorklistFilters,
    page_number: int,
    params: Mapping[str, object],
    now: dt.datetime | None = None,
    page_size: int = PAGE_SIZE,
) -> WorklistPage:
    """One page of the worklist: a fixed number of queries, whatever the page or clinic size."""
    now = now or timezone.now()
    today = timezone.localtime(now, tz).date()
    queryset = worklist_queryset(clinic_id=clinic_id, filters=filters, today=today, tz=tz)
    # Counted without the sort keys: the database then computes them only for the page query.
    count = worklist_filtered(clinic_id=clinic_id, filters=filters, today=today, tz=tz).count()
    page_number = max(1, min(page_number, max(1, -(-count // page_size))))
    offset = (page_number - 1) * page_size
    patients = list(
        queryset.select_related("psychiatrist_of_record").only(
            "pk",
            "mrn",
            "given_name",
            "family_name",
            "clinic_id",
            "psychiatrist_of_record__name",
        )[offset : offset + page_size]
    )
    ids = [p.pk for p in patients]
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    ratings = _ratings_for(ids)
    alerts = _alerts_for(ids)
    check_ins = _check_ins_for(ids, today=today, tz=tz)
    sessions, phases = _sessions_for(ids, start_of_today=start_of_today)
    empty = AlertSummary(counts={}, most_severe=None, holds_next_session=False)
    rows = [
        WorklistRow(
            patient=p,
            phase=phases.get(p.pk, Phase.NONE),
            scores=_score_cells(p.pk, ratings, params, tz),
            alerts=alerts.get(p.pk, empty),
            check_ins=check_ins.get(p.pk, []),
            next_session_at=sessions[p.pk][0] if p.pk in sessions else None,
            next_session_number=sessions[p.pk][1] if p.pk in sessions else None,
        )
        for p in patients
    ]
    return WorklistPage(
        rows=rows,
        count=count,
        page_number=page_number,
        page_size=page_size,
        filters=filters,
        today=today,
    )
