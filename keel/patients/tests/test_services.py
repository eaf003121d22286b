"""Patient registration and edits through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.common.exceptions import PermissionDenied, ValidationFailed
from keel.patients.models import Patient
from keel.patients.services import patient_create, patient_update
from keel.patients.tests.factories import PsychiatristOfRecordFactory

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Indigo",
    "family_name": "Farrow",
    "birth_date": dt.date(1985, 7, 1),
    "administrative_sex": "other",
    "weight_kg": Decimal("70.5"),
}


def test_patient_create_assigns_sequential_mrns_per_clinic(world: World) -> None:
    nurse_x, nurse_y = world.actor("nurse_x"), world.actor("nurse_y")
    first = patient_create(actor=nurse_x, fields=VALID)
    second = patient_create(actor=nurse_x, fields=VALID)
    other = patient_create(actor=nurse_y, fields=VALID)
    assert (first.mrn, second.mrn, other.mrn) == ("XX000001", "XX000002", "YY000001")


def test_patient_create_records_who_and_audits(world: World) -> None:
    actor = world.actor("front_desk_x")
    patient = patient_create(actor=actor, fields=VALID)
    assert patient.created_by == actor.user
    event = AuditEvent.objects.get(action=AuditAction.CREATE, patient_id=patient.pk)
    assert (event.actor_role, event.clinic_id) == ("front_desk", world.clinic_x.pk)


def test_patient_create_refused_without_permission(world: World) -> None:
    with pytest.raises(PermissionDenied):
        patient_create(actor=world.actor("clinic_admin_x"), fields=VALID)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", ""),
        ("birth_date", timezone.localdate() + dt.timedelta(days=1)),
        ("birth_date", dt.date(1850, 1, 1)),
        ("administrative_sex", "robot"),
        ("weight_kg", Decimal("5.0")),
        ("weight_kg", Decimal("999.0")),
        ("phone", "call me maybe"),
        ("email", "not-an-email"),
        ("emergency_contact_phone", "x"),
    ],
)
def test_patient_create_rejects_bad_values_naming_the_field(
    world: World, field: str, value: object
) -> None:
    with pytest.raises(ValidationFailed) as info:
        patient_create(actor=world.actor("nurse_x"), fields={**VALID, field: value})
    assert field in info.value.errors
    assert not Patient.objects.filter(family_name="Farrow").exists()


def test_psychiatrist_must_belong_to_the_clinic(world: World) -> None:
    elsewhere = PsychiatristOfRecordFactory(clinic=world.clinic_y)
    with pytest.raises(ValidationFailed) as info:
        patient_create(
            actor=world.actor("nurse_x"),
            fields={**VALID, "psychiatrist_of_record_id": elsewhere.pk},
        )
    assert "psychiatrist_of_record_id" in info.value.errors


def test_patient_update_audits_changed_field_names_only(world: World) -> None:
    actor = world.actor("nurse_x")
    patient_update(
        actor=actor,
        patient=world.patient_a,
        fields={"phone": "+1 555 0100 777", "given_name": "Ainsley"},
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.detail == {"fields": ["phone"]}
    assert "555" not in str(event.detail)


def test_rejected_update_changes_nothing(world: World) -> None:
    patient = world.patient_a
    with pytest.raises(ValidationFailed):
        patient_update(
            actor=world.actor("nurse_x"),
            patient=patient,
            fields={"given_name": "New", "weight_kg": Decimal("1")},
        )
    assert patient.given_name == "Ainsley"
    patient.refresh_from_db()
    assert patient.given_name == "Ainsley"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_unknown_field_is_rejected(world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        patient_update(
            actor=world.actor("nurse_x"), patient=world.patient_a, fields={"mrn": "HACK"}
        )
    assert "mrn" in info.value.errors
