"""Reads for treatment."""

from __future__ import annotations

from django.db.models import QuerySet

from keel.patients.models import Patient
from keel.treatment.models import (
    CourseStatus,
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
