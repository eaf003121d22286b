"""Regressions found by fuzzing the API (scripts/fuzz.py, docs/security.md)."""

from __future__ import annotations

import pytest

from conftest import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "-3", "1e9"])
def test_a_number_is_not_a_date_and_time(world: World, value: str) -> None:
    """Found by schemathesis: lax parsing read ``to=0.5`` as a Unix timestamp."""
    response = world.client("clinic_admin_x").get("/api/v1/audit", {"to": value, "from": value})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"from", "to"}


def test_an_iso_date_and_time_is_still_accepted(world: World) -> None:
    response = world.client("clinic_admin_x").get(
        "/api/v1/audit", {"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00+01:00"}
    )
    assert response.status_code == 200, response.content
