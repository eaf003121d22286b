"""The clinic admin's audit trail: page and API, scoped to one clinic, itself audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db


def _touch_patient_a(world: World) -> None:
    world.client("nurse_x").get(reverse("patients:detail", args=[world.patient_a.pk]))
    world.client("nurse_y").get(reverse("patients:detail", args=[world.patient_a.pk]))


def test_clinic_admin_sees_own_clinic_events_and_the_view_is_audited(world: World) -> None:
    _touch_patient_a(world)
    response = world.client("clinic_admin_x").get(reverse("audit:list"))
    assert response.status_code == 200
    events = list(response.context["page"])
    assert {e.clinic_id for e in events} == {world.clinic_x.pk}
    assert any(e.actor_username == "nurse_x" and e.patient_id == world.patient_a.pk for e in events)
    assert AuditEvent.objects.filter(
        actor_username="clinic_admin_x", action=AuditAction.SEARCH, object_type="audit_trail"
    ).exists()


def test_denied_attempt_from_another_clinic_is_in_that_clinics_trail(world: World) -> None:
    _touch_patient_a(world)
    denied = AuditEvent.objects.get(actor_username="nurse_y", outcome=AuditOutcome.DENIED)
    assert denied.clinic_id == world.clinic_y.pk


@pytest.mark.parametrize(
    "who", ["nurse_x", "physician_x", "front_desk_x", "nurse_y", "psychiatrist_a", "patient_a"]
)
def test_only_clinic_admins_may_view_the_trail(world: World, who: str) -> None:
    assert world.client(who).get(reverse("audit:list")).status_code == 403
    assert world.client(who).get("/api/v1/audit").status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor_username=world.users[who].username,
            outcome=AuditOutcome.DENIED,
            object_type="audit_trail",
        ).count()
        == 2
    )


def test_filters_narrow_the_page(world: World) -> None:
    _touch_patient_a(world)
    client = world.client("clinic_admin_x")
    response = client.get(reverse("audit:list"), {"username": "nurse_x", "action": "read"})
    events = list(response.context["page"])
    assert events and all(e.actor_username == "nurse_x" and e.action == "read" for e in events)


def test_bad_filter_is_a_422_naming_the_field(world: World) -> None:
    response = world.client("clinic_admin_x").get(
        reverse("audit:list"), {"date_from": "2026-11-10", "date_to": "2026-11-01"}
    )
    assert response.status_code == 422
    assert "date_to" in response.context["form"].errors


@pytest.mark.parametrize(
    "sort",
    [
        "occurred_at",
        "-occurred_at",
        "actor_username",
        "-patient_id",
        "action",
        "object_type",
        "outcome",
        "client_address",
    ],
)
def test_api_sorts_by_each_field(world: World, sort: str) -> None:
    _touch_patient_a(world)
    response = world.client("clinic_admin_x").get("/api/v1/audit", {"sort": sort})
    assert response.status_code == 200
    items = response.json()["items"]
    key = sort.lstrip("-")
    values = [item[key] for item in items if item[key] is not None]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_api_time_window_and_unknown_sort(world: World) -> None:
    _touch_patient_a(world)
    client = world.client("clinic_admin_x")
    assert client.get("/api/v1/audit", {"from": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    bad = client.get("/api/v1/audit", {"sort": "password"})
    assert bad.status_code == 422
    assert "sort" in bad.json()["errors"]
    naive = client.get("/api/v1/audit", {"from": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert "from" in naive.json()["errors"]


def test_times_are_shown_in_the_clinic_time_zone(world: World) -> None:
    _touch_patient_a(world)
    response = world.client("clinic_admin_x").get(reverse("audit:list"))
    event = next(iter(response.context["page"]))
    local = event.occurred_at.astimezone(world.clinic_x.tzinfo).strftime("%Y-%m-%d %H:%M:%S")
    assert local in response.content.decode()
