"""The overdue filter's SQL agrees with ``keel.clinical.schedules.occurrence_due``, day by day."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from conftest import World
from keel.clinical.schedules import occurrence_due
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry
from keel.outcomes.selectors import overdue_assignments
from keel.outcomes.tests import helpers as h
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db

#: Frequency of each assignment every test patient gets (one instrument per frequency).
SCHEDULE = (
    ("diary", "daily"),
    ("phq9", "daily"),
    ("qids_sr16", "weekly"),
    ("asrm", "fortnightly"),
    ("gad7", "monthly"),
)
STARTS_DAYS_AGO = range(-1, 31)  # -1: starts tomorrow
DONE_DAYS_AGO = (None, 0, 1, 2, 3, 6, 7, 8, 13, 14, 15, 20, 27, 28, 29, 31, 45)


def _build(world: World, today: dt.date) -> list[tuple[Assignment, dt.date | None]]:
    clinic = world.clinic_x
    tz = clinic.tzinfo
    combos = list(itertools.product(STARTS_DAYS_AGO, DONE_DAYS_AGO))
    patients = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic,
                mrn=f"OD{n:05d}",
                given_name="Overdue",
                family_name=f"Rule{n:05d}",
                birth_date=dt.date(1980, 1, 1),
                administrative_sex="female",
            )
            for n in range(len(combos))
        ]
    )
    assignments: list[Assignment] = []
    ratings: list[Assessment] = []
    diary: list[DiaryEntry] = []
    expected: list[tuple[int, dt.date | None]] = []
    for n, (patient, (start_ago, done_ago)) in enumerate(zip(patients, combos, strict=True)):
        start = today - dt.timedelta(days=start_ago)
        done_on = None if done_ago is None else today - dt.timedelta(days=done_ago)
        if done_on is not None:
            # Just after or just before local midnight: the day is the clinic's, not UTC's.
            at = dt.time(0, 20) if n % 2 else dt.time(23, 40)
            taken = dt.datetime.combine(done_on, at, tzinfo=tz)
            diary.append(
                DiaryEntry(
                    patient=patient,
                    entry_date=done_on,
                    mood=0,
                    sleep_hours=7,
                    felt_less_need_for_sleep=False,
                    irritability=0,
                    energy=0,
                    medication_taken_as_prescribed=True,
                    recorded_at=taken,
                )
            )
            for instrument_id, _ in SCHEDULE[1:]:
                ratings.append(
                    Assessment(
                        patient=patient,
                        instrument_id=instrument_id,
                        instrument_version="1",
                        form_version="t",
                        answers=[],
                        total=3,
                        complete=True,
                        purpose=AssessmentPurpose.CHECK_IN,
                        taken_at=taken,
                    )
                )
        for instrument_id, frequency in SCHEDULE:
            assignments.append(
                Assignment(
                    patient=patient,
                    instrument_id=instrument_id,
                    frequency=frequency,
                    start_date=start,
                )
            )
            expected.append((patient.pk, done_on))
    Assessment.objects.bulk_create(ratings)
    DiaryEntry.objects.bulk_create(diary)
    created = Assignment.objects.bulk_create(assignments)
    return [(a, done_on) for a, (_, done_on) in zip(created, expected, strict=True)]


def test_sql_overdue_matches_occurrence_due(world: World) -> None:
    tz = world.clinic_x.tzinfo
    today = timezone.localdate(timezone=tz)
    rows = _build(world, today)
    sql_overdue = set(overdue_assignments(today, tz).values_list("pk", flat=True))
    mismatches = []
    for assignment, done_on in rows:
        state = occurrence_due(
            assignment.frequency, assignment.start_date, assignment.end_date, done_on, today
        )
        if (state.status == "overdue") != (assignment.pk in sql_overdue):
            mismatches.append((assignment.frequency, assignment.start_date, done_on, state.status))
    assert not mismatches, mismatches[:10]
    # The grid covers every status that matters here.
    assert len(sql_overdue) > 100
    assert len(sql_overdue) < len(rows) - 100


def test_ratings_during_a_session_or_incomplete_do_not_count(world: World) -> None:
    tz = world.clinic_x.tzinfo
    today = timezone.localdate(timezone=tz)
    p = h.patient(world.clinic_x)
    assignment = h.assign(p, "phq9", "weekly", today - dt.timedelta(days=10))
    h.rate(p, "phq9", 12, h.days_ago(1), purpose=AssessmentPurpose.IN_SESSION)
    h.rate(p, "phq9", None, h.days_ago(1))  # incomplete
    assert assignment.pk in set(overdue_assignments(today, tz).values_list("pk", flat=True))
    h.rate(p, "phq9", 12, h.days_ago(1))
    assert assignment.pk not in set(overdue_assignments(today, tz).values_list("pk", flat=True))


def test_ended_and_inactive_assignments_are_never_overdue(world: World) -> None:
    tz = world.clinic_x.tzinfo
    today = timezone.localdate(timezone=tz)
    p = h.patient(world.clinic_x)
    ended = h.assign(p, "phq9", "weekly", today - dt.timedelta(days=30))
    ended.end_date = today - dt.timedelta(days=1)
    ended.save()
    inactive = h.assign(p, "asrm", "weekly", today - dt.timedelta(days=30), active=False)
    overdue = set(overdue_assignments(today, tz).values_list("pk", flat=True))
    assert ended.pk not in overdue and inactive.pk not in overdue
