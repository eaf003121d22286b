"""/api/v1/intake: a patient from evaluation to decision, and bad input naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import World
from keel.intake.review import jsonable
from keel.intake.tests.helpers import BASELINE, CLEAN_ANSWERS

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.generic(method, url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_evaluation_to_eligible_decision_through_the_api(world: World) -> None:
    nurse, physician = world.client("nurse_x"), world.client("physician_x")
    base = f"/api/v1/intake/patients/{world.patient_a.pk}"
    status, body = _send(nurse, "PATCH", f"{base}/evaluation", jsonable(CLEAN_ANSWERS))
    assert status == 200, body
    for instrument_id, answers in BASELINE.items():
        status, rating = _send(
            nurse, "POST", f"{base}/ratings", {"instrument_id": instrument_id, "answers": answers}
        )
        assert status == 201, rating
    intake = nurse.get(base).json()
    assert all(section["answered"] == section["total"] for section in intake["progress"])
    assert intake["protocol_id"] == "keel-default"
    status, decision = _send(
        physician,
        "POST",
        f"{base}/decisions",
        {
            "outcome": "eligible",
            "treatment_plan": "IV ketamine 0.5 mg/kg, six sessions.",
            "mood_stabilizer_plan": "Continue lithium 900 mg.",
        },
    )
    assert status == 201, decision
    assert decision["protocol_version"] == intake["protocol_version"]
    assert nurse.get(base).json()["decisions"][0]["outcome"] == "eligible"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resting_systolic_bp": 400}, "resting_systolic_bp"),
        ({"psychosis_history": "maybe"}, "psychosis_history"),
        ({"antimanic_agents": ["unicorn"]}, "antimanic_agents"),
        ({"icd10_code": "F32.1"}, "icd10_code"),
        ({"lithium_level_mmol_l": "-1"}, "lithium_level_mmol_l"),
        ({"no_such_question": True}, "no_such_question"),
    ],
)
def test_bad_evaluation_input_is_422_naming_the_field(
    world: World, body: dict[str, object], field: str
) -> None:
    status, error = _send(
        world.client("nurse_x"),
        "PATCH",
        f"/api/v1/intake/patients/{world.patient_a.pk}/evaluation",
        body,
    )
    assert status == 422
    assert any(key.startswith(field) for key in error["errors"])  # type: ignore[union-attr]


def test_out_of_range_rating_is_422_naming_the_item(world: World) -> None:
    status, error = _send(
        world.client("nurse_x"),
        "POST",
        f"/api/v1/intake/patients/{world.patient_a.pk}/ratings",
        {"instrument_id": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 4]},
    )
    assert status == 422
    assert "item 9" in json.dumps(error)


def test_systolic_below_diastolic_is_refused(world: World) -> None:
    status, error = _send(
        world.client("nurse_x"),
        "PATCH",
        f"/api/v1/intake/patients/{world.patient_a.pk}/evaluation",
        {"resting_systolic_bp": 80, "resting_diastolic_bp": 95},
    )
    assert status == 422, error


def test_decision_without_evaluation_is_409(world: World) -> None:
    status, error = _send(
        world.client("physician_x"),
        "POST",
        f"/api/v1/intake/patients/{world.patient_a.pk}/decisions",
        {"outcome": "deferred", "note": "Not yet evaluated at all."},
    )
    assert status == 409
    assert "evaluation" in str(error["detail"])
