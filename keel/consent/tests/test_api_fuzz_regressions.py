"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import json

import pytest

from conftest import World
from keel.consent.models import Consent, ConsentTemplate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [True, "1"])
def test_template_id_must_be_a_json_integer(
    world: World, template_v1: ConsentTemplate, value: object
) -> None:
    """Lax parsing would read ``true`` or ``"1"`` as a template id."""
    response = world.client("nurse_x").post(
        f"/api/v1/consent/patients/{world.patient_a.pk}/sign",
        json.dumps(
            {
                "template_id": value,
                "signed_name": "Ainsley Zephyrine",
                "confirmed": True,
                "staff_attested": True,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "template_id" in response.json()["errors"]
    assert not Consent.objects.exists()
