"""/api/v1/alerts: lifecycle over JSON, 4xx naming the field, scope, rota and report."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from keel.alerts.models import OnCallEntry
from keel.alerts.tests.helpers import amber, raise_alert, red, rota

pytestmark = pytest.mark.django_db
API = "/api/v1/alerts"


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    response = client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json() if response.content else None


def test_lifecycle_over_the_api(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    nurse = world.client("nurse_x")
    listed = nurse.get(API).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == alert.pk
    assert listed["items"][0]["rule_version"] == "keel-default v3"
    status, body = _post(nurse, f"/{alert.pk}/resolve", {"action_taken": "x"})
    assert status == 409 and "Acknowledge" in body["detail"]
    assert _post(nurse, f"/{alert.pk}/acknowledge")[0] == 200
    assert _post(nurse, f"/{alert.pk}/acknowledge")[0] == 409
    status, body = _post(nurse, f"/{alert.pk}/contact", {"note": "Reached at 09:40."})
    assert status == 200 and body["contact_made_at"] and body["holds_next_session"]
    status, body = _post(
        world.client("psychiatrist_a"), f"/{alert.pk}/psychiatric-review", {"note": ""}
    )
    assert status == 422 and list(body["errors"]) == ["note"]
    status, body = _post(
        world.client("psychiatrist_a"), f"/{alert.pk}/psychiatric-review", {"note": "Proceed."}
    )
    assert status == 200 and body["holds_next_session"] is False
    status, body = _post(nurse, f"/{alert.pk}/resolve", {"action_taken": ""})
    assert status == 422 and list(body["errors"]) == ["action_taken"]
    status, body = _post(nurse, f"/{alert.pk}/resolve", {"action_taken": "Plan agreed."})
    assert status == 200 and body["status"] == "resolved"
    assert [e["kind"] for e in body["events"]][-1] == "resolved"
    got = nurse.get(f"{API}/{alert.pk}").json()
    assert got["action_taken"] == "Plan agreed." and got["facts"] == {"trigger_ymrs_total": 17}
    assert nurse.get(f"{API}?status=resolved").json()["count"] == 1


def test_bad_input_names_the_field(world: World) -> None:
    alert = raise_alert(world.patient_a, amber())
    physician = world.client("physician_x")
    status, body = _post(physician, f"/{alert.pk}/clear-hold", {"note": "ok", "extra": 1})
    assert status == 422 and "extra" in body["errors"]
    status, body = _post(physician, f"/{alert.pk}/clear-hold", {"note": 5})
    assert status == 422 and "note" in body["errors"]
    status, body = _post(physician, f"/{alert.pk}/clear-hold", {"note": "a" * 4001})
    assert status == 422 and "note" in body["errors"]
    response = physician.get(f"{API}?status=closed&limit=0")
    assert response.status_code == 422 and {"status.0", "limit"} <= set(response.json()["errors"])
    assert physician.get(f"{API}/0").status_code == 422
    assert physician.get(f"{API}/{alert.pk + 1000}").status_code == 404
    status, body = _post(world.client("nurse_x"), f"/{alert.pk}/clear-hold", {"note": "ok"})
    assert status == 403
    assert world.client("nurse_y").get(f"{API}/{alert.pk}").status_code == 404
    assert world.client("psychiatrist_other").get(f"{API}/{alert.pk}").status_code == 404
    assert world.client("front_desk_x").get(API).status_code == 403
    assert Client().get(API).status_code == 401


def test_on_call_rota_over_the_api(world: World) -> None:
    admin = world.client("clinic_admin_x")
    nurse_id = world.users["nurse_x"].pk
    status, body = _post(admin, "/on-call", {"user_id": nurse_id, "phone": "+1 555 0100 301"})
    assert status == 201 and body["rank"] == 1 and body["on_call_today"] is True
    status, body = _post(admin, "/on-call", {"user_id": world.users["physician_x"].pk, "rank": 1})
    assert status == 201 and body["rank"] == 1
    ranks = {e["user_id"]: e["rank"] for e in admin.get(f"{API}/on-call").json()}
    assert ranks == {world.users["physician_x"].pk: 1, nurse_id: 2}
    for who, field in (
        ("front_desk_x", "user_id"),  # staff, but cannot acknowledge alerts
        ("nurse_y", "user_id"),  # another clinic's nurse
        ("psychiatrist_a", "user_id"),  # not staff
    ):
        status, body = _post(admin, "/on-call", {"user_id": world.users[who].pk})
        assert status == 422 and list(body["errors"]) == [field], who
    status, body = _post(
        admin,
        "/on-call",
        {"user_id": nurse_id, "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
    )
    assert status == 422 and list(body["errors"]) == ["ends_on"]
    status, body = _post(admin, "/on-call", {"user_id": "x"})
    assert status == 422 and "user_id" in body["errors"]
    assert _post(world.client("nurse_x"), "/on-call", {"user_id": nurse_id})[0] == 403
    entry = OnCallEntry.objects.get(user_id=world.users["physician_x"].pk)
    assert world.client("nurse_x").delete(f"{API}/on-call/{entry.pk}").status_code == 403
    assert admin.delete(f"{API}/on-call/{entry.pk}").status_code == 204
    assert [e["rank"] for e in admin.get(f"{API}/on-call").json()] == [1]
    assert admin.delete(f"{API}/on-call/{entry.pk}").status_code == 404


def test_report_over_the_api(world: World) -> None:
    rota(world, "nurse_x")
    alert = raise_alert(world.patient_a)
    admin = world.client("clinic_admin_x")
    body = admin.get(f"{API}/report").json()
    assert body["rows"][0]["count"] == 1 and body["rows"][0]["acknowledged"] == 0
    assert "Ainsley" not in json.dumps(body) and alert.patient.mrn not in json.dumps(body)
    today = timezone.localdate()
    response = admin.get(f"{API}/report?start={today}&end={today - dt.timedelta(days=2)}")
    assert response.status_code == 422 and list(response.json()["errors"]) == ["end"]
    assert world.client("nurse_x").get(f"{API}/report").status_code == 403


def test_dates_travel_as_text(world: World) -> None:
    admin = world.client("clinic_admin_x")
    status, body = _post(admin, "/on-call", {"user_id": world.users["nurse_x"].pk, "starts_on": 0})
    assert status == 422 and list(body["errors"]) == ["starts_on"]
    assert not OnCallEntry.objects.exists()
