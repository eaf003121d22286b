"""/api/v1/monitoring: 201 then 200 for a replayed key, 422 naming the field, 403/404 by scope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import World
from keel.audit.models import AuditEvent
from keel.monitoring.models import Assessment, Assignment, DiaryEntry, TextPack
from keel.monitoring.services import assignment_create

pytestmark = pytest.mark.django_db

BASE = "/api/v1/monitoring"
DIARY = {
    "mood": 1,
    "sleep_hours": 6.5,
    "felt_less_need_for_sleep": True,
    "irritability": 2,
    "energy": 1,
    "medication_taken_as_prescribed": True,
}


def _post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        BASE + path, json.dumps(body), content_type="application/json", headers=headers
    )


def test_diary_201_then_200_with_the_same_key_then_409_for_different_answers(
    world: World,
) -> None:
    client = world.client("patient_a")
    first = _post(client, "/me/diary", DIARY, **{"Idempotency-Key": "api-diary-1"})
    again = _post(client, "/me/diary", DIARY, **{"Idempotency-Key": "api-diary-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["sleep_hours"] == "6.5"
    different = _post(client, "/me/diary", {**DIARY, "mood": -2, "idempotency_key": "other"})
    assert different.status_code == 409
    assert "already filled in" in different.json()["detail"]
    assert DiaryEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mood": 5}, "mood"),
        ({"sleep_hours": 30}, "sleep_hours"),
        ({"irritability": 4}, "irritability"),
        ({"sleep_hours": 7.25}, "sleep_hours"),
        ({"felt_less_need_for_sleep": "maybe"}, "felt_less_need_for_sleep"),
    ],
)
def test_bad_diary_values_are_422_naming_the_field(
    world: World, change: dict[str, Any], field: str
) -> None:
    response = _post(world.client("patient_a"), "/me/diary", {**DIARY, **change})
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not DiaryEntry.objects.exists()


def test_rating_201_then_200_and_crisis_says_what_to_show_first(world: World) -> None:
    client = world.client("patient_a")
    body = {"instrument_id": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 2]}
    first = _post(client, "/me/ratings", body, **{"Idempotency-Key": "r-1"})
    again = _post(client, "/me/ratings", {**body, "idempotency_key": "r-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["crisis"] == "urgent"
    assert first.json()["purpose"] == "check_in"
    assert Assessment.objects.count() == 1


def test_header_and_body_keys_must_agree(world: World) -> None:
    body = {"instrument_id": "asrm", "answers": [0] * 5, "idempotency_key": "a"}
    response = _post(world.client("patient_a"), "/me/ratings", body, **{"Idempotency-Key": "b"})
    assert response.status_code == 422
    assert "idempotency_key" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument_id": "phq9", "answers": [0] * 8}, "answers"),
        ({"instrument_id": "phq9", "answers": [0] * 8 + [4]}, "answers"),
        ({"instrument_id": "madrs", "answers": [0] * 10}, "instrument_id"),
        ({"instrument_id": "phq9", "answers": [None] * 9}, "answers"),
    ],
)
def test_bad_ratings_are_422_naming_the_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    response = _post(world.client("patient_a"), "/me/ratings", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Assessment.objects.exists()


@override_settings(KEEL_DEMO=False)
def test_a_scale_without_a_pack_outside_the_demo_is_409(world: World) -> None:
    body = {"instrument_id": "phq9", "answers": [0] * 9}
    response = _post(world.client("patient_a"), "/me/ratings", body)
    assert response.status_code == 409
    assert not Assessment.objects.exists()


def test_due_list_is_the_patients_own(world: World) -> None:
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="diary",
        frequency="daily",
    )
    a = world.client("patient_a").get(BASE + "/me/due").json()
    assert [i["instrument_id"] for i in a["items"]] == ["diary"]
    assert a["items"][0]["status"] == "due"
    assert a["clinic_phone"] == world.clinic_x.phone
    b = world.client("patient_b").get(BASE + "/me/due").json()
    assert b["items"] == []


def test_staff_get_403_on_the_patients_own_operations(world: World) -> None:
    response = world.client("nurse_x").get(BASE + "/me/due")
    assert response.status_code == 403
    assert _post(world.client("nurse_x"), "/me/diary", DIARY).status_code == 403


def test_anonymous_gets_401(world: World) -> None:
    assert Client().get(BASE + "/me/due").status_code == 401


def test_clinician_rating_at_a_visit(world: World) -> None:
    nurse = world.client("nurse_x")
    path = f"/patients/{world.patient_a.pk}/ratings"
    body = {"instrument_id": "ymrs", "answers": [1] * 7 + [2] * 4, "purpose": "pre_session"}
    created = _post(nurse, path, body, **{"Idempotency-Key": "visit-1"})
    assert created.status_code == 201
    assert created.json()["total"] == 15
    assert _post(nurse, path, body, **{"Idempotency-Key": "visit-1"}).status_code == 200
    wrong = _post(nurse, path, {**body, "answers": [0] * 10})
    assert wrong.status_code == 422
    assert "answers" in wrong.json()["errors"]
    listed = nurse.get(BASE + path).json()
    assert [r["instrument_id"] for r in listed] == ["ymrs"]
    # Psychiatrist A reads but may not record; clinic Y's nurse and patient B do not reach A.
    assert world.client("psychiatrist_a").get(BASE + path).status_code == 200
    assert _post(world.client("psychiatrist_a"), path, body).status_code == 404
    for who in ("nurse_y", "patient_b", "front_desk_x", "psychiatrist_other"):
        assert world.client(who).get(BASE + path).status_code == 404


def test_assignments_create_list_defaults_and_end(world: World) -> None:
    nurse = world.client("nurse_x")
    path = f"/patients/{world.patient_a.pk}/assignments"
    created = _post(nurse, path, {"instrument_id": "phq9", "frequency": "weekly"})
    assert created.status_code == 201
    assert _post(nurse, path, {"instrument_id": "phq9", "frequency": "weekly"}).status_code == 409
    bad = _post(nurse, path, {"instrument_id": "madrs", "frequency": "weekly"})
    assert (bad.status_code, "instrument_id" in bad.json()["errors"]) == (422, True)
    defaults = _post(nurse, path + "/defaults", {"phase": "maintenance"})
    assert defaults.status_code == 201
    body = defaults.json()
    assert sorted(a["instrument_id"] for a in body["created"]) == [
        "asrm",
        "diary",
        "phq9",
        "qids_sr16",
    ]
    assert body["ended"] == [created.json()["id"]]  # weekly PHQ-9 becomes every two weeks
    listed = nurse.get(BASE + path).json()
    phq9 = next(a for a in listed if a["instrument_id"] == "phq9")
    assert phq9["frequency"] == "fortnightly"
    ended = _post(nurse, f"{path}/{phq9['id']}/end", {})
    assert (ended.status_code, ended.json()["active"]) == (200, False)
    assert _post(nurse, f"{path}/{phq9['id']}/end", {}).status_code == 409
    assert _post(nurse, f"{path}/999999/end", {}).status_code == 404
    assert Assignment.objects.filter(patient=world.patient_a, active=True).count() == 3


def test_portal_status_and_invitation_over_the_api(world: World) -> None:
    desk = world.client("front_desk_x")
    status = desk.get(f"{BASE}/patients/{world.patient_a.pk}/portal").json()
    assert status["state"] == "active"
    conflict = _post(desk, f"/patients/{world.patient_a.pk}/portal/invitation", {})
    assert conflict.status_code == 409


def test_text_pack_install_and_list_for_clinic_admins_only(world: World) -> None:
    from keel.monitoring.tests.helpers import US_CORE_PHQ9, fhir_example

    admin = world.client("clinic_admin_x")
    body = {"questionnaire": fhir_example(US_CORE_PHQ9), "source": "HL7 US Core example"}
    created = _post(admin, "/text-packs", body)
    assert created.status_code == 201
    assert (created.json()["instrument_id"], created.json()["item_count"]) == ("phq9", 9)
    assert [p["status"] for p in admin.get(BASE + "/text-packs").json()] == ["active"]
    assert _post(world.client("nurse_x"), "/text-packs", body).status_code == 403
    assert world.client("nurse_x").get(BASE + "/text-packs").status_code == 403
    broken = _post(admin, "/text-packs", {**body, "questionnaire": {"resourceType": "Patient"}})
    assert broken.status_code == 422
    assert "questionnaire" in broken.json()["errors"]
    assert TextPack.objects.count() == 1


def test_api_writes_and_reads_are_audited(world: World) -> None:
    _post(world.client("patient_a"), "/me/diary", DIARY)
    world.client("nurse_x").get(f"{BASE}/patients/{world.patient_a.pk}/diary")
    events = AuditEvent.objects.filter(patient_id=world.patient_a.pk)
    assert events.filter(object_type="diary_entry", action="create").exists()
    assert events.filter(object_type="monitoring", action="read", actor_username="nurse_x").exists()
