"""The read-only protocol page: safety floors with their sources, then every value."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from conftest import World
from keel.clinical.protocol.floors import SAFETY_FLOORS

pytestmark = pytest.mark.django_db


def test_staff_see_every_floor_with_its_limit_and_source(world: World) -> None:
    """Each floor's title, limit and source is on the page, with the clinic's values."""
    response = world.client("nurse_x").get("/intake/protocol/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "keel-default v4" in html
    for floor in SAFETY_FLOORS:
        assert escape(floor.title) in html
        assert escape(floor.limit) in html
        assert escape(floor.source) in html
    assert "<code>escort_required</code> = yes" in html
    assert "Not yet reviewed by the clinic" in html


def test_outside_accounts_get_404(world: World) -> None:
    """A psychiatrist of record has no clinic role: the page does not exist for her."""
    assert world.client("psychiatrist_a").get("/intake/protocol/").status_code == 404
