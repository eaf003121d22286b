"""The session vitals chart: JSON series and protocol threshold lines, gated like the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import World
from keel.treatment.models import VitalContext
from keel.treatment.services import session_check_in, session_start_prechecks, vitals_record
from keel.treatment.tests.helpers import scheduled_session
from keel.treatment.tests.test_chairside import CALM

pytestmark = pytest.mark.django_db


def _with_vitals(world: World):  # type: ignore[no-untyped-def]
    nurse = world.actor("nurse_x")
    session = scheduled_session(world)
    session = session_check_in(
        actor=nurse, session=session, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    vitals_record(actor=nurse, session=session, context=VitalContext.PRE_DOSE, **CALM)
    return session


def test_json_holds_the_series_and_thresholds(world: World) -> None:
    session = _with_vitals(world)
    response = world.client("nurse_x").get(reverse("treatment:vitals_chart", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    series = data["series"]
    assert series["systolic"] == [124]
    assert series["diastolic"] == [80]
    assert series["heart_rate"] == [72]
    assert series["spo2"] == [98]
    assert len(series["time"]) == 1
    lines = {t["parameter"]: t["value"] for t in data["thresholds"]}
    assert lines == {
        "predose_bp_review_systolic_above": 140,
        "predose_bp_review_diastolic_above": 90,
        "intrasession_pause_systolic_min": 180,
        "intrasession_pause_diastolic_min": 110,
        "intrasession_pause_hr_min": 110,
        "hypertensive_urgency_systolic_above": 180,
        "hypertensive_urgency_diastolic_above": 120,
    }
    assert world.patient_a.family_name not in response.content.decode()


def test_chart_is_gated_like_the_session_page(world: World) -> None:
    session = _with_vitals(world)
    url = reverse("treatment:vitals_chart", args=[session.pk])
    assert world.client("physician_x").get(url).status_code == 200
    for role in ("nurse_y", "front_desk_x", "psychiatrist_a", "patient_a", "clinic_admin_x"):
        assert world.client(role).get(url).status_code == 404, role


def test_session_page_loads_plotly_and_the_chart_script_without_inline_script(
    world: World,
) -> None:
    session = _with_vitals(world)
    page = world.client("nurse_x").get(reverse("treatment:session", args=[session.pk]))
    html = page.content.decode()
    assert 'id="vitals-chart"' in html
    assert reverse("treatment:vitals_chart", args=[session.pk]) in html
    assert "vendor/plotly/plotly.min.js" in html
    assert "keel/session-chart.js" in html
    assert "<script>" not in html
    assert 'data-testid="vitals"' in html  # the table stays as the accessible fallback


def test_no_chart_without_vitals(world: World) -> None:
    session = scheduled_session(world)
    page = world.client("nurse_x").get(reverse("treatment:session", args=[session.pk]))
    assert 'id="vitals-chart"' not in page.content.decode()
