"""The read side of alert evaluation: a patient's stored history as the pure core's records.

Builds ``keel.clinical.alerts.PatientHistory`` from assessments, diary
entries, doses, the treatment course and the check-in assignments. Nothing
here decides anything clinical; the protocol's alert rules do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Max, Min, Q

from keel.clinical.alerts import DiaryPoint, DosePoint, DueItem, PatientHistory, RatingPoint
from keel.clinical.schedules import occurrence_due
from keel.intake.models import EligibilityDecision
from keel.monitoring.models import (
    Assessment,
    AssessmentPurpose,
    Assignment,
    DiaryEntry,
    Frequency,
)
from keel.patients.models import Patient
from keel.treatment.models import CourseStatus, DoseAdministration, TreatmentCourse

DIARY = "diary"

#: How far back the rules look, beyond the baselines they keep (every window of the
#: alert rules is 14 days or shorter): evaluation time stays flat as a record grows.
HISTORY_DAYS = 120
#: Diary days before the first dose kept for the personal baseline (REFERENCE.md §5.2).
BASELINE_DIARY_DAYS = 60

#: Eligibility rules whose firing names a §5.2 pre-treatment switch-risk modifier.
RISK_MODIFIER_RULES: dict[str, str] = {
    "eligibility.switch_risk.bipolar_i": "bipolar_i",
    "eligibility.antimanic.none": "no_antimanic",
    "eligibility.switch_risk.snri": "antidepressant",
    "eligibility.switch_risk.antidepressant": "antidepressant",
    "eligibility.switch_risk.prior_antidepressant_switch": "past_switch",
}


def _answers(raw: object) -> tuple[int | None, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(a if isinstance(a, int) and not isinstance(a, bool) else None for a in raw)


_RATING_FIELDS = (
    "pk",
    "instrument_id",
    "taken_at",
    "total",
    "answers",
    "flags",
    "purpose",
    "acute_post_dose",
)


def _ratings(patient: Patient, now: dt.datetime) -> tuple[RatingPoint, ...]:
    """Recent ratings, every baseline, and each instrument's first rating (the fallback
    baseline when an instrument has none in reach), in one query. Plain rows, no model
    instances: this runs on every submission."""
    mine = Assessment.objects.filter(patient=patient)
    since = now - dt.timedelta(days=HISTORY_DAYS)
    firsts = mine.values("instrument_id").annotate(first=Min("pk")).values("first")
    found = list(
        mine.filter(
            Q(taken_at__gte=since) | Q(purpose=AssessmentPurpose.BASELINE) | Q(pk__in=firsts)
        ).values_list(*_RATING_FIELDS)
    )
    rows = sorted(found, key=lambda r: (r[2], r[0]))
    return tuple(
        RatingPoint(
            ref=f"assessment:{pk}",
            instrument_id=instrument_id,
            taken_at=taken_at,
            total=total,
            answers=_answers(answers),
            flags=frozenset(str(f) for f in (flags or [])),
            purpose=purpose,
            acute_post_dose=acute_post_dose,
        )
        for pk, instrument_id, taken_at, total, answers, flags, purpose, acute_post_dose in rows
    )


def _diary(
    patient: Patient, today: dt.date, first_dose_on: dt.date | None
) -> tuple[DiaryPoint, ...]:
    """Recent diary days, plus the days before the first dose (the personal baseline)."""
    window = Q(entry_date__gte=today - dt.timedelta(days=HISTORY_DAYS))
    if first_dose_on is not None:
        window |= Q(
            entry_date__lt=first_dose_on,
            entry_date__gte=first_dose_on - dt.timedelta(days=BASELINE_DIARY_DAYS),
        )
    rows = (
        DiaryEntry.objects.filter(patient=patient)
        .filter(window)
        .order_by("entry_date", "pk")
        .values_list(
            "pk",
            "entry_date",
            "mood",
            "sleep_hours",
            "felt_less_need_for_sleep",
            "irritability",
            "energy",
            "medication_taken_as_prescribed",
            "acute_post_dose",
        )
    )
    return tuple(
        DiaryPoint(
            ref=f"diary:{pk}",
            entry_date=entry_date,
            mood=mood,
            sleep_hours=Decimal(sleep_hours),
            felt_less_need_for_sleep=less_sleep,
            irritability=irritability,
            energy=energy,
            medication_taken_as_prescribed=medication,
            acute_post_dose=acute,
        )
        for (
            pk,
            entry_date,
            mood,
            sleep_hours,
            less_sleep,
            irritability,
            energy,
            medication,
            acute,
        ) in rows
    )


def patient_doses(patient: Patient) -> tuple[DosePoint, ...]:
    """The patient's doses that have started, oldest first."""
    rows = (
        DoseAdministration.objects.filter(session__patient=patient, started_at__isnull=False)
        .order_by("started_at", "pk")
        .values_list("pk", "started_at", "route", "dose_mg", "session__number")
    )
    return tuple(
        DosePoint(ref=f"dose:{pk}", at=at, route=route, dose_mg=dose_mg, session_number=number)
        for pk, at, route, dose_mg, number in rows
        if at is not None  # filtered above; the column itself is nullable
    )


def _induction_sessions(patient: Patient) -> int | None:
    """Induction size of the newest course that has started (None: no course yet)."""
    course = (
        TreatmentCourse.objects.filter(patient=patient)
        .exclude(status=CourseStatus.PLANNED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return None if course is None else course.induction_sessions


def _risk_modifiers(patient: Patient) -> frozenset[str]:
    """§5.2 modifiers named by the latest eligibility decision's fired rules.

    Rapid cycling is not recorded at intake yet, so it never appears here.
    """
    fired = (
        EligibilityDecision.objects.filter(patient=patient)
        .order_by("-decided_at", "-pk")
        .values_list("fired_rule_ids", flat=True)
        .first()
    )
    if not isinstance(fired, list):
        return frozenset()
    return frozenset(RISK_MODIFIER_RULES[rule] for rule in fired if rule in RISK_MODIFIER_RULES)


def _assignments(patient: Patient, today: dt.date) -> list[Assignment]:
    return [
        a
        for a in Assignment.objects.filter(patient=patient, active=True).order_by("pk")
        if a.end_date is None or a.end_date >= today
    ]


def _due(
    patient: Patient, assignments: list[Assignment], today: dt.date, tz: ZoneInfo
) -> tuple[DueItem, ...]:
    last_rating: dict[str, dt.date] = {}
    instruments = [a.instrument_id for a in assignments if a.instrument_id != DIARY]
    if instruments:
        latest = (
            Assessment.objects.filter(patient=patient, instrument_id__in=instruments)
            .values("instrument_id")
            .annotate(last=Max("taken_at"))
        )
        for row in latest:
            last_rating[row["instrument_id"]] = row["last"].astimezone(tz).date()
    last_diary = (
        DiaryEntry.objects.filter(patient=patient).aggregate(last=Max("entry_date"))["last"]
        if any(a.instrument_id == DIARY for a in assignments)
        else None
    )
    items = []
    for assignment in assignments:
        last = last_diary if assignment.instrument_id == DIARY else None
        if assignment.instrument_id != DIARY:
            last = last_rating.get(assignment.instrument_id)
        state = occurrence_due(
            assignment.frequency, assignment.start_date, assignment.end_date, last, today
        )
        items.append(
            DueItem(
                instrument_id=assignment.instrument_id,
                due_on=state.due_on,
                days_overdue=state.days_overdue,
            )
        )
    return tuple(items)


def patient_history(
    *,
    patient: Patient,
    now: dt.datetime,
    clock: bool = True,
    doses: tuple[DosePoint, ...] | None = None,
) -> PatientHistory:
    """Everything the alert rules read about ``patient`` at ``now``.

    ``clock=False`` (a rating or diary trigger) leaves out what only the clock
    rules read (check-in schedules, the induction size): those rules fire on the
    clock trigger only, and a submission stays quick. ``doses`` is
    :func:`patient_doses`, when the caller has read it already.
    """
    tz = ZoneInfo(patient.clinic.time_zone)
    today = now.astimezone(tz).date()
    assignments = _assignments(patient, today) if clock else []
    diary_starts = [
        a.start_date
        for a in assignments
        if a.instrument_id == DIARY and a.frequency == Frequency.DAILY
    ]
    doses = patient_doses(patient) if doses is None else doses
    first_dose_on = doses[0].at.astimezone(tz).date() if doses else None
    return PatientHistory(
        ratings=_ratings(patient, now),
        diary=_diary(patient, today, first_dose_on),
        doses=doses,
        induction_sessions_planned=_induction_sessions(patient) if clock else None,
        risk_modifiers=_risk_modifiers(patient),
        diary_expected_since=min(diary_starts) if diary_starts else None,
        due=_due(patient, assignments, today, tz) if clock else (),
    )
