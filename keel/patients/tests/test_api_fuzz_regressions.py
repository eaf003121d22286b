"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import json

import pytest

from conftest import World
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field",
    [
        "phone",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
    ],
)
def test_patch_null_clears_an_optional_text_field_instead_of_crashing(
    world: World, field: str
) -> None:
    """Found by schemathesis: ``{"phone": null}`` reached the database as NULL (500)."""
    patient = world.patient_a
    Patient.objects.filter(pk=patient.pk).update(**{field: "x@example.org"})
    response = world.client("nurse_x").patch(
        f"/api/v1/patients/{patient.pk}",
        json.dumps({field: None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()[field] == ""
    patient.refresh_from_db()
    assert getattr(patient, field) == ""


@pytest.mark.parametrize("value", [True, "1"])
def test_psychiatrist_id_must_be_a_json_integer(world: World, value: object) -> None:
    """Found by schemathesis: lax parsing read ``true`` and ``"1"`` as the integer 1."""
    before = Patient.objects.get(pk=world.patient_a.pk).psychiatrist_of_record_id
    response = world.client("nurse_x").patch(
        f"/api/v1/patients/{world.patient_a.pk}",
        json.dumps({"psychiatrist_of_record_id": value}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "psychiatrist_of_record_id" in response.json()["errors"]
    assert Patient.objects.get(pk=world.patient_a.pk).psychiatrist_of_record_id == before
