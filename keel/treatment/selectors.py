"""Reads for treatment."""

from __future__ import annotations

from django.db.models import QuerySet

from keel.patients.models import Patient
from keel.treatment.models import (
    AdverseEvent,
    CourseStatus,
    ExitCheck,
    PreSessionCheck,
    TreatmentCourse,
    TreatmentSession,
    VitalContext,
    VitalSigns,
)


def session_get(*, session_id: int) -> TreatmentSession | None:
    """One session with its course and patient (scope is checked by the gate)."""
    return (
        TreatmentSession.objects.select_related("course", "patient", "patient__clinic")
        .filter(pk=session_id)
        .first()
    )


def course_open(*, patient: Patient) -> TreatmentCourse | None:
    """The patient's planned or active course, if any."""
    return TreatmentCourse.objects.filter(
        patient=patient, status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).first()


def course_list(*, patient: Patient) -> QuerySet[TreatmentCourse]:
    """Every course of the patient, newest first."""
    return TreatmentCourse.objects.filter(patient=patient)


def session_list(*, course: TreatmentCourse) -> QuerySet[TreatmentSession]:
    """A course's sessions in order."""
    return TreatmentSession.objects.filter(course=course).order_by("number")


def precheck_latest(*, session: TreatmentSession) -> PreSessionCheck | None:
    """The newest pre-session check of a session."""
    return session.prechecks.order_by("-recorded_at", "-pk").first()


def vitals_list(*, session: TreatmentSession) -> QuerySet[VitalSigns]:
    """A session's vital signs in time order."""
    return session.vitals.order_by("taken_at", "pk")


def vitals_latest(
    *, session: TreatmentSession, contexts: tuple[VitalContext, ...]
) -> VitalSigns | None:
    """The newest vitals of the given contexts."""
    return session.vitals.filter(context__in=contexts).order_by("-taken_at", "-pk").first()


def exit_check_latest(*, session: TreatmentSession) -> ExitCheck | None:
    """The session's newest exit check (the one discharge reads)."""
    return session.exit_checks.select_related("physician").order_by("-recorded_at", "-pk").first()


def adverse_event_list(*, session: TreatmentSession) -> QuerySet[AdverseEvent]:
    """A session's adverse events in the order they happened."""
    return session.adverse_events.select_related("recorded_by").order_by("occurred_at", "pk")


def adverse_events_previous_session(
    *, session: TreatmentSession
) -> tuple[TreatmentSession | None, list[AdverseEvent]]:
    """The patient's last dosed session before ``session`` and the adverse events recorded in it.

    Shown to the nurse next to the pre-check question "adverse event since
    the last session".
    """
    previous = (
        TreatmentSession.objects.filter(
            patient_id=session.patient_id, dose_started_at__isnull=False
        )
        .exclude(pk=session.pk)
        .filter(scheduled_for__lte=session.scheduled_for)
        .order_by("-dose_started_at", "-pk")
        .first()
    )
    if previous is None:
        return None, []
    return previous, list(adverse_event_list(session=previous))
