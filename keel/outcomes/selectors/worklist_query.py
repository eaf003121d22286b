"""The worklist's one SQL query over the whole clinic: which patients, in which order.

Filters and sort keys are computed in the database, per patient, so the
query count stays the same at any size; only the page's ids come back.
The overdue rule is ``keel.clinical.schedules.occurrence_due`` written in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

from keel.alerts.models import Alert, AlertStatus
from keel.clinical.schedules import PERIOD_DAYS
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry
from keel.outcomes.selectors.common import (
    DIARY,
    NO_ALERT_RANK,
    UNFINISHED_SESSION_STATES,
    DayNumber,
    ScalarMax,
    ScalarMin,
    alert_rank_expression,
)
from keel.patients.models import Patient
from keel.treatment.models import CourseStatus, SessionState, TreatmentCourse, TreatmentSession

# ---------------------------------------------------------------- filters and sorting


class _Choice(StrEnum):
    @classmethod
    def values(cls) -> frozenset[str]:
        """Every member's value (``"x" in Enum`` raises on Python 3.11)."""
        return frozenset(member.value for member in cls)


class Population(_Choice):
    ACTIVE = "active"
    ALL = "all"


class WorklistSort(_Choice):
    URGENCY = "urgency"
    NAME = "name"
    NEXT_SESSION = "next_session"
    PHQ9 = "phq9"


class Phase(_Choice):
    """Where the patient's open course stands."""

    INDUCTION = "induction"
    MAINTENANCE = "maintenance"
    PLANNED = "planned"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            Phase.INDUCTION: "Induction",
            Phase.MAINTENANCE: "Maintenance",
            Phase.PLANNED: "Course planned",
            Phase.NONE: "No open course",
        }[self]


SORT_LABELS: Mapping[WorklistSort, str] = {
    WorklistSort.URGENCY: "Most urgent first",
    WorklistSort.NAME: "Name",
    WorklistSort.NEXT_SESSION: "Next session",
    WorklistSort.PHQ9: "Latest PHQ-9 (highest first)",
}


@dataclass(frozen=True)
class WorklistFilters:
    """What the worklist shows and in which order."""

    population: Population = Population.ACTIVE
    sort: WorklistSort = WorklistSort.URGENCY
    has_open_alerts: bool = False
    overdue_only: bool = False
    phase: Phase | None = None


def _period_days() -> Case:
    """SQL: the assignment's days between occurrences (``keel.clinical.schedules``)."""
    return Case(
        *[When(frequency=name, then=Value(days)) for name, days in PERIOD_DAYS.items()],
        default=Value(None),
        output_field=IntegerField(),
    )


def completed_check_ins() -> QuerySet[Assessment]:
    """Ratings that count as a completed check-in: complete, not taken during a session.

    The same rule as ``keel.monitoring.selectors.last_completed_by_instrument``.
    """
    return Assessment.objects.filter(complete=True).exclude(purpose=AssessmentPurpose.IN_SESSION)


def overdue_assignments(today: dt.date, tz: dt.tzinfo) -> QuerySet[Assignment]:
    """SQL: active assignments overdue on ``today``, the rule of ``occurrence_due``.

    With occurrences every *p* days from ``start_date``, an assignment that
    started before today is overdue unless it was completed on or after the
    last due day before today, ``start + ((today - 1 - start) // p) * p``
    (a completion before the start counts for nothing): the test compares day
    numbers, the last completion's clinic-local day against that due day.
    keel/outcomes/tests checks this against ``occurrence_due`` day by day.
    """
    period = _period_days()
    start = DayNumber(F("start_date"))
    today_number = DayNumber(Value(today, output_field=DateField()))
    last_due = start + ((today_number - Value(1) - start) / period) * period
    # The last rating's clinic-local day: compared with the start of each of the last days
    # (computed here), so the database does no time zone arithmetic. Every due day lies
    # within the longest period before today; an older rating is simply older than all.
    horizon = max(PERIOD_DAYS.values()) + 1
    latest = ScalarMax("taken_at", output_field=DateTimeField())
    local_day = Case(
        *[
            When(
                GreaterThanOrEqual(
                    latest,
                    Value(
                        dt.datetime.combine(today - dt.timedelta(days=k), dt.time.min, tzinfo=tz),
                        output_field=DateTimeField(),
                    ),
                ),
                then=today_number - Value(k),
            )
            for k in range(horizon)
        ],
        default=today_number - Value(horizon + 1),
        output_field=IntegerField(),
    )
    last_rating_day = Subquery(
        completed_check_ins()
        .filter(patient_id=OuterRef("patient_id"), instrument_id=OuterRef("instrument_id"))
        .order_by()
        .annotate(day=local_day)
        .values("day"),
        output_field=IntegerField(),
    )
    last_diary_day = Subquery(
        DiaryEntry.objects.filter(patient_id=OuterRef("patient_id"))
        .order_by()
        .annotate(day=DayNumber(ScalarMax("entry_date", output_field=DateField())))
        .values("day"),
        output_field=IntegerField(),
    )
    last_done = Case(
        When(instrument_id=DIARY, then=last_diary_day),
        default=last_rating_day,
        output_field=IntegerField(),
    )
    # Never completed (NULL) counts as before every due day.
    overdue = ExpressionWrapper(
        Q(GreaterThan(last_due, Coalesce(last_done, Value(-(10**9))))),
        output_field=BooleanField(),
    )
    return Assignment.objects.filter(
        Q(active=True),
        Q(start_date__lt=today),
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        Q(frequency__in=list(PERIOD_DAYS)),
    ).filter(overdue)


def _overdue_exists(today: dt.date, tz: dt.tzinfo) -> Exists:
    """SQL: the patient has an overdue check-in today."""
    return Exists(overdue_assignments(today, tz).filter(patient_id=OuterRef("pk")))


def _active_exists(today: dt.date) -> Q:
    """SQL: the patient has an active course or an active assignment today."""
    course = Exists(
        TreatmentCourse.objects.filter(patient_id=OuterRef("pk"), status=CourseStatus.ACTIVE)
    )
    assignment = Exists(
        Assignment.objects.filter(
            Q(patient_id=OuterRef("pk")),
            Q(active=True),
            Q(end_date__isnull=True) | Q(end_date__gte=today),
        )
    )
    return Q(course) | Q(assignment)


def phase_annotations(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    open_course = TreatmentCourse.objects.filter(
        patient_id=OuterRef("pk"), status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).order_by("-created_at", "-pk")
    done = (
        TreatmentSession.objects.filter(
            course_id=OuterRef("open_course_id"), state=SessionState.DISCHARGED
        )
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.annotate(
            open_course_id=Subquery(open_course.values("pk")[:1]),
            open_course_status=Subquery(open_course.values("status")[:1]),
            induction_planned=Subquery(open_course.values("induction_sessions")[:1]),
        )
        .annotate(sessions_done=Coalesce(Subquery(done), Value(0)))
        .annotate(
            phase=Case(
                When(open_course_status=CourseStatus.PLANNED, then=Value(Phase.PLANNED.value)),
                When(
                    open_course_status=CourseStatus.ACTIVE,
                    sessions_done__lt=F("induction_planned"),
                    then=Value(Phase.INDUCTION.value),
                ),
                When(open_course_status=CourseStatus.ACTIVE, then=Value(Phase.MAINTENANCE.value)),
                default=Value(Phase.NONE.value),
            )
        )
    )


def _latest_total(instrument_id: str) -> Subquery:
    return Subquery(
        Assessment.objects.filter(
            patient_id=OuterRef("pk"),
            instrument_id=instrument_id,
            total__isnull=False,
            acute_post_dose=False,
        )
        .order_by("-taken_at", "-pk")
        .values("total")[:1]
    )


def _next_session(start_of_today: dt.datetime) -> Subquery:
    """SQL: when the patient's next unfinished session is scheduled (from today on)."""
    return Subquery(
        TreatmentSession.objects.filter(
            patient_id=OuterRef("pk"),
            state__in=UNFINISHED_SESSION_STATES,
            scheduled_for__gte=start_of_today,
        )
        .order_by()
        .annotate(first=ScalarMin("scheduled_for", output_field=DateTimeField()))
        .values("first"),
        output_field=DateTimeField(),
    )


def _alert_rank(unresolved: QuerySet[Alert]) -> Coalesce:
    """SQL: the rank of the patient's most severe unresolved alert (``NO_ALERT_RANK``: none)."""
    rank = Subquery(
        unresolved.order_by()
        .annotate(best=ScalarMin(alert_rank_expression(), output_field=IntegerField()))
        .values("best"),
        output_field=IntegerField(),
    )
    return Coalesce(rank, Value(NO_ALERT_RANK))


def worklist_filtered(
    *, clinic_id: int, filters: WorklistFilters, today: dt.date, tz: dt.tzinfo
) -> QuerySet[Patient]:
    """The clinic's patients the filters keep, unordered (what the page count counts)."""
    patients = Patient.objects.filter(clinic_id=clinic_id)
    if filters.population == Population.ACTIVE:
        patients = patients.filter(_active_exists(today))
    if filters.has_open_alerts:
        patients = patients.filter(Exists(_unresolved_alerts()))
    if filters.overdue_only:
        patients = patients.filter(_overdue_exists(today, tz))
    if filters.phase is not None:
        patients = phase_annotations(patients).filter(Q(phase=filters.phase.value))
    return patients.order_by()


def _unresolved_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(patient_id=OuterRef("pk")).exclude(status=AlertStatus.RESOLVED)


def worklist_queryset(
    *,
    clinic_id: int,
    filters: WorklistFilters,
    today: dt.date,
    tz: dt.tzinfo,
) -> QuerySet[Patient]:
    """The filtered patients with their sort keys, in the chosen order (slice it for a page)."""
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    patients = worklist_filtered(clinic_id=clinic_id, filters=filters, today=today, tz=tz)
    order: list[Any]
    if filters.sort == WorklistSort.NAME:
        order = ["family_name", "given_name", "pk"]
    elif filters.sort == WorklistSort.NEXT_SESSION:
        patients = patients.annotate(next_session_at=_next_session(start_of_today))
        order = [F("next_session_at").asc(nulls_last=True), "family_name", "given_name", "pk"]
    elif filters.sort == WorklistSort.PHQ9:
        patients = patients.annotate(phq9_latest=_latest_total("phq9"))
        order = [F("phq9_latest").desc(nulls_last=True), "family_name", "given_name", "pk"]
    else:
        # Most urgent first: the most severe unresolved alert (not yet acknowledged before
        # acknowledged), then the soonest session. Overdue check-ins are not a sort key: the
        # protocol turns the ones that matter into missed-check-in alerts (docs/worklist.md).
        patients = patients.annotate(
            alert_rank=_alert_rank(_unresolved_alerts()),
            next_session_at=_next_session(start_of_today),
        )
        order = [
            "alert_rank",
            F("next_session_at").asc(nulls_last=True),
            "family_name",
            "given_name",
            "pk",
        ]
    return patients.order_by(*order)
