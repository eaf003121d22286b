"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import World
from keel.intake.models import Evaluation
from keel.intake.selectors import evaluation_facts
from keel.intake.services import evaluation_start
from keel.monitoring.selectors import clinic_today

pytestmark = pytest.mark.django_db


def _patch(world: World, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = world.client("nurse_x").patch(
        f"/api/v1/intake/patients/{world.patient_a.pk}/evaluation",
        json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("field", ["lithium_level_date", "valproate_level_date"])
def test_a_level_dated_in_the_future_is_refused(world: World, field: str) -> None:
    """Found by schemathesis: a future level date made its age negative, and then every
    review of the evaluation (GET intake, the decision) failed with 500."""
    tomorrow = clinic_today(world.patient_a) + dt.timedelta(days=1)
    status, body = _patch(world, {field: tomorrow.isoformat()})
    assert status == 422
    assert field in body["errors"]
    assert not Evaluation.objects.exclude(**{field: None}).exists()
    intake = world.client("nurse_x").get(f"/api/v1/intake/patients/{world.patient_a.pk}")
    assert intake.status_code == 200


def test_a_level_dated_today_is_accepted(world: World) -> None:
    """Today is the clinic's date, not the server's UTC date (issue 18: this failed 00-05 UTC)."""
    status, body = _patch(world, {"lithium_level_date": clinic_today(world.patient_a).isoformat()})
    assert status == 200, body


def test_a_level_dated_tomorrow_by_another_time_zone_counts_as_zero_days(world: World) -> None:
    """Stored dates can be a day ahead of a viewer in a time zone west of the writer."""
    evaluation = evaluation_start(actor=world.actor("nurse_x"), patient=world.patient_a)
    evaluation.valproate_level_date = dt.date(2026, 11, 2)
    facts = evaluation_facts(evaluation=evaluation, today=dt.date(2026, 11, 1))
    assert facts["valproate_level_age_days"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("psychiatric_hospitalisations", False),
        ("antidepressant_trials", True),
        ("antidepressant_trials", "3"),
        ("valproate_level_date", 0),
        ("lithium_level_date", 20200101),
    ],
)
def test_numbers_and_dates_must_have_their_json_type(
    world: World, field: str, value: object
) -> None:
    """Found by schemathesis: lax parsing took ``false`` as 0 and the integer 0 as 1970-01-01."""
    status, body = _patch(world, {field: value})
    assert status == 422
    assert field in body["errors"]
