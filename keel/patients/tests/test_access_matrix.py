"""Role x route x method over every patients route, with the expected outcome as data.

Patient A belongs to clinic X. ``None`` in a route's path means "patient A".
A 2xx where the table says deny is a leak; a denied write must change nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditEvent, AuditOutcome
from keel.patients.models import Patient

ROLES = (
    "anonymous",
    "physician_x",
    "nurse_x",
    "front_desk_x",
    "clinic_admin_x",
    "nurse_y",
    "psychiatrist_a",
    "psychiatrist_other",
    "patient_a",
)

NEW_PATIENT = {
    "given_name": "Matrix",
    "family_name": "Newcomer",
    "birth_date": "1990-05-05",
    "administrative_sex": "male",
}
EDIT = {"given_name": "Changed"}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    kind: str  # "page" or "api"
    writes: bool

    def url(self, patient_id: int) -> str:
        if self.kind == "api":
            base = "/api/v1/patients"
            return base if self.name in {"list", "create"} else f"{base}/{patient_id}"
        if self.name in {"list"}:
            return reverse("patients:list")
        if self.name == "create":
            return reverse("patients:create")
        return reverse(f"patients:{self.name}", args=[patient_id])


ROUTES = {
    "page_list": Route("list", "GET", "page", False),
    "page_create_form": Route("create", "GET", "page", False),
    "page_create": Route("create", "POST", "page", True),
    "page_detail": Route("detail", "GET", "page", False),
    "page_edit_form": Route("edit", "GET", "page", False),
    "page_edit": Route("edit", "POST", "page", True),
    "api_list": Route("list", "GET", "api", False),
    "api_create": Route("create", "POST", "api", True),
    "api_get": Route("detail", "GET", "api", False),
    "api_update": Route("detail", "PATCH", "api", True),
}

STAFF_EDITOR = {
    "page_list": 200,
    "page_create_form": 200,
    "page_create": 302,
    "page_detail": 200,
    "page_edit_form": 200,
    "page_edit": 302,
    "api_list": 200,
    "api_create": 201,
    "api_get": 200,
    "api_update": 200,
}
NO_PATIENT_ACCESS = {
    "page_list": 403,
    "page_create_form": 403,
    "page_create": 403,
    "page_detail": 404,
    "page_edit_form": 404,
    "page_edit": 404,
    "api_list": 403,
    "api_create": 403,
    "api_get": 404,
    "api_update": 404,
}
OTHER_CLINIC_STAFF = {
    **STAFF_EDITOR,
    "page_detail": 404,
    "page_edit_form": 404,
    "page_edit": 404,
    "api_get": 404,
    "api_update": 404,
}
READ_ONLY_OWN = {
    **NO_PATIENT_ACCESS,
    "page_list": 200,
    "page_detail": 200,
    "api_list": 200,
    "api_get": 200,
}
OUTSIDE_NOT_THEIRS = {**READ_ONLY_OWN, "page_detail": 404, "api_get": 404}

EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": {name: (401 if route.kind == "api" else 302) for name, route in ROUTES.items()},
    "physician_x": STAFF_EDITOR,
    "nurse_x": STAFF_EDITOR,
    "front_desk_x": STAFF_EDITOR,
    "clinic_admin_x": NO_PATIENT_ACCESS,
    "nurse_y": OTHER_CLINIC_STAFF,
    "psychiatrist_a": READ_ONLY_OWN,
    "psychiatrist_other": OUTSIDE_NOT_THEIRS,
    "patient_a": NO_PATIENT_ACCESS,
}

# Roles whose list must not show patient A (their scope excludes it).
LIST_EXCLUDES_A = {"nurse_y", "psychiatrist_other"}


def _send(client: Client, route: Route, url: str) -> tuple[int, str]:
    if route.method == "GET":
        response = client.get(url)
    elif route.kind == "api":
        body = NEW_PATIENT if route.name == "create" else EDIT
        response = client.generic(
            route.method, url, json.dumps(body), content_type="application/json"
        )
    else:
        data = NEW_PATIENT if route.name == "create" else {**_form_of(route), **EDIT}
        response = client.post(url, data)
    return response.status_code, response.content.decode(errors="replace")


def _form_of(route: Route) -> dict[str, str]:
    return {
        "given_name": "Ainsley",
        "family_name": "Zephyrine",
        "birth_date": "1980-01-01",
        "administrative_sex": "female",
    }


def _snapshot(patient_id: int) -> tuple[object, ...]:
    p = Patient.objects.get(pk=patient_id)
    return (p.given_name, p.family_name, p.birth_date, p.updated_at)


@pytest.mark.parametrize("route_name", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_patients_route_outcome_matches_the_matrix(
    world: World, role: str, route_name: str
) -> None:
    """Each role gets exactly the declared status; a denial leaks nothing and writes nothing."""
    route = ROUTES[route_name]
    patient = world.patient_a
    expected = EXPECTED[role][route_name]
    before = _snapshot(patient.pk)
    patient_count = Patient.objects.count()

    status, body = _send(world.client(role), route, route.url(patient.pk))

    assert status == expected, f"{role} {route.method} {route_name}: {status} != {expected}"
    denied = expected >= 400 or (role == "anonymous")
    if denied:
        assert patient.family_name not in body
        assert _snapshot(patient.pk) == before
        assert Patient.objects.count() == patient_count
    if route_name in {"page_list", "api_list"} and role in LIST_EXCLUDES_A:
        assert patient.family_name not in body
    if route_name in {"page_list", "api_list"} and expected == 200 and role not in LIST_EXCLUDES_A:
        assert patient.family_name in body


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r != "anonymous" and EXPECTED[r]["api_get"] == 404]
)
def test_denied_object_access_is_audited_as_denied(world: World, role: str) -> None:
    """Every refused detail read leaves a denied audit event naming the record."""
    world.client(role).get(f"/api/v1/patients/{world.patient_a.pk}")
    event = AuditEvent.objects.filter(
        outcome=AuditOutcome.DENIED, object_type="patient", object_id=str(world.patient_a.pk)
    ).get()
    assert event.actor_username == world.users[role].username


def test_missing_and_forbidden_records_look_the_same(world: World) -> None:
    """A record in another clinic answers exactly like one that does not exist."""
    client = world.client("nurse_y")
    forbidden = client.get(f"/api/v1/patients/{world.patient_a.pk}")
    missing = client.get("/api/v1/patients/987654321")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    page_forbidden = client.get(reverse("patients:detail", args=[world.patient_a.pk]))
    page_missing = client.get(reverse("patients:detail", args=[987654321]))
    assert page_forbidden.status_code == page_missing.status_code == 404
    assert _without_csrf(page_forbidden.content) == _without_csrf(page_missing.content)


def _without_csrf(content: bytes) -> bytes:
    """Pages embed a per-response masked CSRF token; everything else must match."""
    content = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
