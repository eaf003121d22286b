"""/api/v1/patients: contract, validation errors naming the field, list audit."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Juno",
    "family_name": "Ravel",
    "birth_date": "1991-03-03",
    "administrative_sex": "female",
}


def _post(client: Client, body: object) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/patients", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_create_then_get_round_trip(world: World) -> None:
    client = world.client("nurse_x")
    status, created = _post(client, {**VALID, "weight_kg": "61.5"})
    assert status == 201
    fetched = client.get(f"/api/v1/patients/{created['id']}").json()
    assert fetched == created
    assert fetched["weight_kg"] == "61.5"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "birth_date": 0}, "birth_date"),
        ({**VALID, "birth_date": ""}, "birth_date"),
        ({**VALID, "birth_date": "2999-01-01"}, "birth_date"),
        ({**VALID, "given_name": ""}, "given_name"),
        ({**VALID, "administrative_sex": "x"}, "administrative_sex"),
        ({**VALID, "weight_kg": 2}, "weight_kg"),
        ({**VALID, "email": "nope"}, "email"),
        ({**VALID, "mrn": "XX999999"}, "mrn"),
        ({k: v for k, v in VALID.items() if k != "family_name"}, "family_name"),
    ],
)
def test_create_rejects_bad_input_with_422_naming_the_field(
    world: World, body: dict[str, object], field: str
) -> None:
    status, error = _post(world.client("nurse_x"), body)
    assert status == 422
    assert field in error["errors"]
    assert field in str(error["detail"])
    assert Patient.objects.count() == 2


def test_unparsable_json_is_a_4xx_not_a_crash(world: World) -> None:
    response = world.client("nurse_x").post(
        "/api/v1/patients", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_patch_changes_only_sent_fields(world: World) -> None:
    client = world.client("physician_x")
    response = client.patch(
        f"/api/v1/patients/{world.patient_a.pk}",
        json.dumps({"phone": "+1 555 0100 123"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    world.patient_a.refresh_from_db()
    assert (world.patient_a.phone, world.patient_a.given_name) == ("+1 555 0100 123", "Ainsley")


def test_patch_null_for_a_required_field_is_rejected_and_changes_nothing(world: World) -> None:
    client = world.client("physician_x")
    response = client.patch(
        f"/api/v1/patients/{world.patient_a.pk}",
        json.dumps({"given_name": None, "phone": "+1 555 0100 123"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "given_name" in response.json()["errors"]
    world.patient_a.refresh_from_db()
    assert (world.patient_a.given_name, world.patient_a.phone) == ("Ainsley", "")


def test_list_audits_one_read_per_patient_shown(
    world: World, django_assert_max_num_queries: object
) -> None:
    for _ in range(8):
        PatientFactory(clinic=world.clinic_x)
    client = world.client("nurse_x")
    client.get("/")  # settle the session's active clinic
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    with django_assert_max_num_queries(16):
        response = client.get("/api/v1/patients?limit=5")
    body = response.json()
    assert (body["count"], len(body["items"])) == (10, 5)
    reads = AuditEvent.objects.filter(
        action=AuditAction.READ, object_type="patient", sequence__gt=last
    )
    assert sorted(e.patient_id for e in reads) == sorted(item["id"] for item in body["items"])


def test_huge_id_is_a_clean_4xx(world: World) -> None:
    response = world.client("nurse_x").get("/api/v1/patients/99999999999999999999999")
    assert response.status_code in {404, 422}


def test_openapi_document_is_served(world: World) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/patients", "/api/v1/patients/{patient_id}"} <= set(paths)
