"""Role x route over every intake page and API operation (expected status as data)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import World
from keel.audit.models import AuditEvent, AuditOutcome
from keel.intake.models import EligibilityDecision, Evaluation
from keel.intake.services import evaluation_start
from keel.monitoring.models import Assessment

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
DECISION = {"outcome": "deferred", "note": "Waiting for the hospital discharge letter."}
RATING = {"instrument_id": "asrm", "answers": [0, 1, 0, 1, 0]}

# route name -> (method, kind, path suffix, body)
ROUTES: dict[str, tuple[str, str, str, dict[str, object] | None]] = {
    "page_overview": ("GET", "page", "/intake/patients/{id}/", None),
    "page_evaluation_form": ("GET", "page", "/intake/patients/{id}/evaluation/", None),
    "page_evaluation_save": (
        "POST",
        "page",
        "/intake/patients/{id}/evaluation/",
        {"psychosis_history": "false"},
    ),
    "page_rating_form": ("GET", "page", "/intake/patients/{id}/ratings/asrm/", None),
    "page_rating_save": (
        "POST",
        "page",
        "/intake/patients/{id}/ratings/asrm/",
        {"item_1": "0", "item_2": "1", "item_3": "0", "item_4": "0", "item_5": "0"},
    ),
    "page_decision_form": ("GET", "page", "/intake/patients/{id}/decision/", None),
    "page_decision_save": ("POST", "page", "/intake/patients/{id}/decision/", DECISION),
    "api_get": ("GET", "api", "/api/v1/intake/patients/{id}", None),
    "api_evaluation": (
        "PATCH",
        "api",
        "/api/v1/intake/patients/{id}/evaluation",
        {"psychosis_history": False},
    ),
    "api_rating": ("POST", "api", "/api/v1/intake/patients/{id}/ratings", RATING),
    "api_decision": ("POST", "api", "/api/v1/intake/patients/{id}/decisions", DECISION),
}

DENY = dict.fromkeys(ROUTES, 404)
EDITOR = {
    **DENY,
    "page_overview": 200,
    "page_evaluation_form": 200,
    "page_evaluation_save": 302,
    "page_rating_form": 200,
    "page_rating_save": 302,
    "api_get": 200,
    "api_evaluation": 200,
    "api_rating": 201,
}
EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": {n: (401 if r[1] == "api" else 302) for n, r in ROUTES.items()},
    "physician_x": {
        **EDITOR,
        "page_decision_form": 200,
        "page_decision_save": 302,
        "api_decision": 201,
    },
    "nurse_x": EDITOR,
    "front_desk_x": DENY,
    "clinic_admin_x": DENY,
    "nurse_y": DENY,
    "psychiatrist_a": {**DENY, "page_overview": 200, "api_get": 200},
    "psychiatrist_other": DENY,
    "patient_a": DENY,
}


def _snapshot() -> tuple[int, int, int, list[object]]:
    return (
        Evaluation.objects.count(),
        EligibilityDecision.objects.count(),
        Assessment.objects.count(),
        list(Evaluation.objects.values_list("psychosis_history", "updated_at")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_intake_route_outcome_matches_the_matrix(world: World, role: str, route: str) -> None:
    """Exactly the declared status; a denied request leaks no data and writes nothing."""
    evaluation_start(actor=world.actor("nurse_x"), patient=world.patient_a)
    method, kind, path, body = ROUTES[route]
    url = path.format(id=world.patient_a.pk)
    client: Client = world.client(role)
    before = _snapshot()
    if method == "GET":
        response = client.get(url)
    elif kind == "api":
        response = client.generic(method, url, json.dumps(body), content_type="application/json")
    else:
        response = client.post(url, body)
    expected = EXPECTED[role][route]
    assert response.status_code == expected, f"{role} {method} {url}: {response.status_code}"
    if expected >= 400 or role == "anonymous":
        assert world.patient_a.family_name not in response.content.decode(errors="replace")
        assert _snapshot() == before
    if expected == 404 and role != "anonymous":
        assert AuditEvent.objects.filter(
            actor_username=world.users[role].username, outcome=AuditOutcome.DENIED
        ).exists()
