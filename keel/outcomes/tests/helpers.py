"""Rows for worklist and life chart tests, written straight through the ORM (synthetic only).

The services that normally write these rows belong to other apps; the
worklist only reads them, so the tests build exactly the rows they need.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.accounts.models import Clinic, User
from keel.alerts.models import Alert, AlertCategory, AlertLevel, AlertPriority, AlertStatus
from keel.intake.models import DecisionOutcome, EligibilityDecision, Evaluation, EvaluationStatus
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory
from keel.treatment.models import (
    CourseStatus,
    DoseAdministration,
    Route,
    SessionState,
    TreatmentCourse,
    TreatmentSession,
)


def now() -> dt.datetime:
    return timezone.now()


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def patient(clinic: Clinic, family_name: str = "", given_name: str = "Test") -> Patient:
    fields: dict[str, object] = {"clinic": clinic, "given_name": given_name}
    if family_name:
        fields["family_name"] = family_name
    p: Patient = PatientFactory(**fields)
    return p


def course(
    p: Patient,
    *,
    status: str = CourseStatus.ACTIVE,
    induction: int = 6,
    medicines: list[str] | None = None,
    other_medications: str = "",
) -> TreatmentCourse:
    """An eligible decision and a course for ``p`` (no services, no protocol run)."""
    evaluation = Evaluation.objects.create(
        patient=p,
        status=EvaluationStatus.DECIDED,
        antimanic_agents=medicines if medicines is not None else ["lithium"],
        other_medications=other_medications,
    )
    decision = EligibilityDecision.objects.create(
        patient=p,
        evaluation=evaluation,
        outcome=DecisionOutcome.ELIGIBLE,
        protocol_id="keel-default",
        protocol_version="test",
        facts={},
        findings=[],
        decided_by=_any_user(),
        decided_at=days_ago(30),
    )
    return TreatmentCourse.objects.create(
        patient=p,
        decision=decision,
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg_per_kg=Decimal("0.50"),
        induction_sessions=induction,
        status=status,
        activated_at=days_ago(20) if status == CourseStatus.ACTIVE else None,
    )


def _any_user() -> User:
    user = User.objects.order_by("pk").first()
    if user is None:
        user = User.objects.create(username="outcomes-test-user")
    return user


def session(
    c: TreatmentCourse,
    number: int,
    when: dt.datetime,
    *,
    state: str = SessionState.SCHEDULED,
    dose_mg: str | None = None,
    nurse: User | None = None,
    physician: User | None = None,
) -> TreatmentSession:
    """A session; with ``dose_mg`` a verified, given dose (needs two clinicians)."""
    s = TreatmentSession.objects.create(
        course=c,
        patient=c.patient,
        number=number,
        scheduled_for=when,
        state=state,
        dose_started_at=when if dose_mg is not None else None,
    )
    if dose_mg is not None:
        assert nurse is not None and physician is not None
        DoseAdministration.objects.create(
            session=s,
            route=c.route,
            drug="racemic_ketamine",
            concentration_mg_per_ml=Decimal("10.00"),
            lot="LOT-T",
            dosing_weight_kg=Decimal("70.0"),
            dose_mg=Decimal(dose_mg),
            volume_ml=Decimal(dose_mg) / 10,
            calculation=["test"],
            prepared_by=nurse,
            prepared_at=when,
            verified_by=physician,
            verified_at=when,
            administered_by=nurse,
            started_at=when,
        )
    return s


def rate(
    p: Patient,
    instrument_id: str,
    total: int | None,
    taken_at: dt.datetime,
    *,
    purpose: str = AssessmentPurpose.CHECK_IN,
    acute: bool = False,
) -> Assessment:
    return Assessment.objects.create(
        patient=p,
        instrument_id=instrument_id,
        instrument_version="1",
        form_version="test",
        answers=[],
        total=total,
        complete=total is not None,
        purpose=purpose,
        acute_post_dose=acute,
        taken_at=taken_at,
    )


def diary(p: Patient, day: dt.date, *, mood: int = 0, sleep: str = "7.0") -> DiaryEntry:
    return DiaryEntry.objects.create(
        patient=p,
        entry_date=day,
        mood=mood,
        sleep_hours=Decimal(sleep),
        felt_less_need_for_sleep=False,
        irritability=0,
        energy=0,
        medication_taken_as_prescribed=True,
        recorded_at=timezone.now(),
    )


def assign(
    p: Patient, instrument_id: str, frequency: str, start: dt.date, *, active: bool = True
) -> Assignment:
    return Assignment.objects.create(
        patient=p, instrument_id=instrument_id, frequency=frequency, start_date=start, active=active
    )


def alert(
    p: Patient,
    *,
    priority: str = AlertPriority.ROUTINE,
    level: str = AlertLevel.NONE,
    status: str = AlertStatus.OPEN,
    category: str = AlertCategory.WORSENING_DEPRESSION,
    rule_id: str = "",
    title: str = "Test alert",
    raised_at: dt.datetime | None = None,
    hold: str = "",
) -> Alert:
    raised = raised_at or days_ago(1)
    return Alert.objects.create(
        clinic=p.clinic,
        patient=p,
        category=category,
        priority=priority,
        level=level,
        status=status,
        rule_id=rule_id or f"test.{category}.{priority}.{level or 'none'}.{Alert.objects.count()}",
        protocol_id="keel-default",
        protocol_version="test",
        title=title,
        action="Call the patient.",
        raised_at=raised,
        ack_due_at=raised + dt.timedelta(hours=1),
        resolved_at=raised if status == AlertStatus.RESOLVED else None,
        hold=hold,
    )
