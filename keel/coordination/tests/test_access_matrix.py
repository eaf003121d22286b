"""Role x route over every coordination page and API operation (expected status as data)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import World
from keel.coordination.models import CoordinationLetter, PlanAcknowledgement, PsychiatristInvitation
from keel.intake.models import DecisionOutcome
from keel.intake.services import eligibility_decide
from keel.intake.tests.helpers import complete_evaluation

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

ROUTES: dict[str, tuple[str, str, str, dict[str, object] | None]] = {
    "page_status": ("GET", "page", "/coordination/patients/{id}/", None),
    "page_invite": ("POST", "page", "/coordination/patients/{id}/invite/", {}),
    "page_acknowledge": (
        "POST",
        "page",
        "/coordination/patients/{id}/acknowledge/",
        {"confirm": "on"},
    ),
    "page_exception": (
        "POST",
        "page",
        "/coordination/patients/{id}/exception/",
        {"reason": "Psychiatrist on long leave until March."},
    ),
    "page_letter": ("POST", "page", "/coordination/patients/{id}/letters/", {}),
    "api_status": ("GET", "api", "/api/v1/coordination/patients/{id}", None),
    "api_acknowledge": (
        "POST",
        "api",
        "/api/v1/coordination/patients/{id}/acknowledgement",
        {"comment": ""},
    ),
    "api_exception": (
        "POST",
        "api",
        "/api/v1/coordination/patients/{id}/exception",
        {"reason": "Psychiatrist on long leave until March."},
    ),
    "api_letter": ("POST", "api", "/api/v1/coordination/patients/{id}/letters", None),
}
DENY = dict.fromkeys(ROUTES, 404)
# Invitations: patient A's psychiatrist already has a login, so an allowed invite redirects
# with an explanation (page) and is never sent.
STAFF = {
    **DENY,
    "page_status": 200,
    "page_invite": 302,
    "page_letter": 302,
    "api_status": 200,
    "api_letter": 201,
}
EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": {n: (401 if r[1] == "api" else 302) for n, r in ROUTES.items()},
    "physician_x": {**STAFF, "page_exception": 302, "api_exception": 201},
    "nurse_x": STAFF,
    "front_desk_x": DENY,
    "clinic_admin_x": DENY,
    "nurse_y": DENY,
    "psychiatrist_a": {
        **DENY,
        "page_status": 200,
        "api_status": 200,
        "page_acknowledge": 302,
        "api_acknowledge": 201,
    },
    "psychiatrist_other": DENY,
    "patient_a": DENY,
}


def _counts() -> tuple[int, int, int]:
    return (
        PlanAcknowledgement.objects.count(),
        CoordinationLetter.objects.count(),
        PsychiatristInvitation.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_coordination_route_outcome_matches_the_matrix(world: World, role: str, route: str) -> None:
    """Exactly the declared status; a denied request leaks nothing and writes nothing."""
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        treatment_plan="IV racemic ketamine, six induction sessions.",
        mood_stabilizer_plan="Continue lithium at the current dose.",
    )
    method, kind, path, body = ROUTES[route]
    url = path.format(id=world.patient_a.pk)
    client: Client = world.client(role)
    before = _counts()
    if method == "GET":
        response = client.get(url)
    elif kind == "api":
        response = client.generic(
            method, url, json.dumps(body or {}), content_type="application/json"
        )
    else:
        response = client.post(url, body)
    expected = EXPECTED[role][route]
    assert response.status_code == expected, f"{role} {method} {url}: {response.status_code}"
    if expected >= 400 or role == "anonymous":
        assert world.patient_a.family_name not in response.content.decode(errors="replace")
        assert _counts() == before
