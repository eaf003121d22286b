"""Reads for patients; every query starts from the actor's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from keel.accounts.models import Clinic, User
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.patients.models import Patient, PsychiatristOfRecord


def patient_scope(*, actor: Actor) -> QuerySet[Patient]:
    """Patients the actor may see at all; fails closed to an empty queryset."""
    account_type = actor.account_type
    if account_type == AccountType.STAFF and actor.clinic_id is not None:
        # Staff see the patients of their active clinic only.
        return Patient.objects.filter(clinic_id=actor.clinic_id)
    if account_type == AccountType.PSYCHIATRIST_OF_RECORD:
        # A psychiatrist of record sees the patients whose record names them.
        return Patient.objects.filter(psychiatrist_of_record__user_id=actor.user_id)
    if account_type == AccountType.PATIENT:
        # A patient sees their own record.
        return Patient.objects.filter(user_id=actor.user_id)
    return Patient.objects.none()


def patient_search(*, actor: Actor, query: str = "") -> QuerySet[Patient]:
    """The actor's patients matching ``query`` (name or MRN), in name order."""
    patients = patient_scope(actor=actor).select_related("psychiatrist_of_record", "clinic")
    for term in query.split()[:5]:
        patients = patients.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(mrn__iexact=term)
        )
    return patients.order_by("family_name", "given_name", "pk")


def psychiatrist_list(*, clinic_id: int) -> QuerySet[PsychiatristOfRecord]:
    """The outside psychiatrists known to a clinic."""
    return PsychiatristOfRecord.objects.filter(clinic_id=clinic_id).order_by("name")


def outside_time_zone(*, user: User) -> str | None:
    """The time zone an outside account sees times in: that of the clinic whose records name
    it (a psychiatrist of record's patients' clinic, a patient's own), when they agree on one.
    """
    zones = set(
        Clinic.objects.filter(Q(psychiatrists__user=user) | Q(patients__user=user))
        .values_list("time_zone", flat=True)
        .distinct()
    )
    return zones.pop() if len(zones) == 1 else None
