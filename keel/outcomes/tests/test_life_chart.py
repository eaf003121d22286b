"""The life chart: its JSON (series, markers, thresholds, outcomes), page, access and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from keel.alerts.models import AlertCategory, AlertPriority
from keel.audit.models import AuditEvent, AuditOutcome
from keel.common.tests.test_templates_csp import violations
from keel.monitoring.models import AssessmentPurpose
from keel.outcomes.tests import helpers as h
from keel.patients.models import PsychiatristOfRecord
from keel.treatment.models import SessionState

pytestmark = pytest.mark.django_db


def _url(patient_id: int, json: bool = False) -> str:
    suffix = "life-chart.json" if json else "life-chart/"
    return f"/outcomes/patients/{patient_id}/{suffix}"


def _chart_patient(world: World) -> None:
    """Patient A: a course with two given sessions, ratings, diary days, an alert."""
    p = world.patient_a
    c = h.course(p, medicines=["lithium"], other_medications="sertraline 50 mg daily")
    nurse, physician = world.users["nurse_x"], world.users["physician_x"]
    h.session(
        c,
        1,
        h.days_ago(10),
        state=SessionState.DISCHARGED,
        dose_mg="35",
        nurse=nurse,
        physician=physician,
    )
    h.session(
        c,
        2,
        h.days_ago(3),
        state=SessionState.DISCHARGED,
        dose_mg="36.5",
        nurse=nurse,
        physician=physician,
    )
    h.session(c, 3, h.now() + dt.timedelta(days=2))
    h.rate(p, "phq9", 22, h.days_ago(20), purpose=AssessmentPurpose.BASELINE)
    h.rate(p, "phq9", 15, h.days_ago(9))
    h.rate(p, "phq9", 3, h.days_ago(3) + dt.timedelta(hours=1), acute=True)
    h.rate(p, "phq9", 9, h.days_ago(1))
    h.rate(p, "asrm", 2, h.days_ago(20), purpose=AssessmentPurpose.BASELINE)
    h.rate(p, "asrm", 7, h.days_ago(1))
    h.rate(p, "madrs", 34, h.days_ago(20), purpose=AssessmentPurpose.BASELINE)
    h.rate(p, "madrs", 12, h.days_ago(3), purpose=AssessmentPurpose.PRE_SESSION)
    today = timezone.localdate(timezone=world.clinic_x.tzinfo)
    h.diary(p, today - dt.timedelta(days=2), mood=-1, sleep="6.5")
    h.diary(p, today - dt.timedelta(days=1), mood=2, sleep="4.0")
    h.alert(
        p,
        priority=AlertPriority.URGENT,
        category=AlertCategory.SUICIDALITY,
        title="PHQ-9 item 9 at 2",
    )


def _series(data: dict[str, Any], instrument_id: str) -> dict[str, Any]:
    return next(s for s in data["series"] if s["instrument_id"] == instrument_id)


def test_json_holds_series_markers_thresholds_and_outcomes(world: World) -> None:
    _chart_patient(world)
    response = world.client("nurse_x").get(_url(world.patient_a.pk, json=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()

    phq9 = _series(data, "phq9")
    assert phq9["direction"] == "depression"
    assert phq9["total"] == [22, 15, 3, 9]
    assert phq9["y"] == [-81.5, -55.6, -11.1, -33.3]  # below the line, % of 27
    assert phq9["acute_post_dose"] == [False, False, True, False]
    assert phq9["purpose"][0] == "baseline"
    asrm = _series(data, "asrm")
    assert asrm["direction"] == "mania" and asrm["y"] == [10.0, 35.0]  # above, % of 20
    assert {s["instrument_id"] for s in data["series"]} == {"phq9", "asrm", "madrs"}

    assert [d["mood"] for d in data["diary"]] == [-1, 2]
    assert [d["sleep_hours"] for d in data["diary"]] == [6.5, 4.0]

    given = [s for s in data["sessions"] if s["given"]]
    assert [(s["number"], s["dose_mg"]) for s in given] == [(1, 35.0), (2, 36.5)]
    assert given[0]["route_label"] == "IV racemic ketamine"
    planned = [s for s in data["sessions"] if not s["given"]]
    assert [s["number"] for s in planned] == [3]

    assert len(data["alerts"]) == 1
    alert = data["alerts"][0]
    assert alert["severity"] == "urgent" and alert["severity_label"] == "Urgent"
    assert alert["url"] == f"/alerts/{alert['id']}/"

    assert data["medicines"][0]["antimanic_agents"] == ["Lithium"]
    assert data["medicines"][0]["other_medications"] == ["sertraline 50 mg daily"]

    lines = {(t["instrument_id"], t["parameter"]): t for t in data["thresholds"]}
    remission = lines[("phq9", "phq9_remission_max")]
    assert remission["value"] == 4 and remission["y"] == -14.8
    assert remission["label"] == "PHQ-9 remission ≤ 4"
    assert lines[("asrm", "switch_amber_asrm_min")]["y"] == 30.0
    response_line = lines[("phq9", "response_reduction_min_pct")]
    assert response_line["value"] == 11.0  # 50 % below the baseline of 22
    assert "50 % below baseline 22" in response_line["label"]
    diary_line = lines[("diary", "switch_amber_diary_mood_min")]
    assert diary_line["axis"] == "diary" and diary_line["y"] == 2.0
    assert ("ymrs", "switch_amber_ymrs_min") not in lines  # no YMRS rating, no YMRS lines

    outcomes = {o["instrument_id"]: o for o in data["outcomes"]}
    assert outcomes["phq9"]["text"] == (
        "PHQ-9 baseline 22 → latest 9: 59 % reduction, response; not in remission (≤ 4)."
    )
    assert outcomes["phq9"]["response"] is True and outcomes["phq9"]["remission"] is False
    assert outcomes["madrs"]["text"] == (
        "MADRS baseline 34 → latest 12: 65 % reduction, response; in remission (≤ 12)."
    )
    assert data["protocol"]["id"] == "keel-default"
    body = response.content.decode()
    assert world.patient_a.family_name not in body and world.patient_a.mrn not in body


def test_acute_rating_is_never_the_latest_score(world: World) -> None:
    p = world.patient_a
    h.rate(p, "phq9", 20, h.days_ago(10))
    h.rate(p, "phq9", 2, h.days_ago(1), acute=True)
    data = world.client("nurse_x").get(_url(p.pk, json=True)).json()
    (summary,) = data["outcomes"]
    assert summary["baseline_source"] == "first rating"
    assert summary["latest_total"] == 20
    assert summary["text"].startswith("PHQ-9 first rating 20 → latest 20: 0 % reduction")


def test_page_shows_summary_chart_and_tables(world: World) -> None:
    _chart_patient(world)
    response = world.client("physician_x").get(_url(world.patient_a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PHQ-9 baseline 22 → latest 9: 59 % reduction, response; not in remission (≤ 4)." in html
    assert f'data-src="{_url(world.patient_a.pk, json=True)}"' in html
    assert "vendor/plotly/plotly.min.js" in html and "keel/lifechart.js" in html
    for table in ("ratings", "sessions", "diary", "alerts", "medicines", "thresholds"):
        assert f'data-testid="{table}-table"' in html, table
    assert html.count("<caption>") >= 6
    assert "Yes (not used as the latest score)" in html  # the acute rating, marked
    assert "<code>phq9_remission_max</code>" in html
    assert not violations(html, name="life_chart")


def test_empty_chart_still_renders(world: World) -> None:
    response = world.client("nurse_x").get(_url(world.patient_a.pk))
    assert response.status_code == 200
    assert "No depression rating recorded yet." in response.content.decode()
    data = world.client("nurse_x").get(_url(world.patient_a.pk, json=True)).json()
    assert data["series"] == [] and data["outcomes"] == [] and data["thresholds"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("nurse_x", 200),
        ("physician_x", 200),
        ("psychiatrist_a", 200),
        ("psychiatrist_other", 404),
        ("nurse_y", 404),
        ("front_desk_x", 404),
        ("clinic_admin_x", 404),
        ("patient_a", 404),
        ("patient_b", 404),
    ],
)
def test_access(world: World, role: str, status: int) -> None:
    _chart_patient(world)
    client = world.client(role)
    for url in (_url(world.patient_a.pk), _url(world.patient_a.pk, json=True)):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 404:
            assert "59 %" not in response.content.decode()
    api = client.get(f"/api/v1/outcomes/patients/{world.patient_a.pk}/life-chart")
    assert api.status_code == status


def test_psychiatrist_sees_only_own_patients_chart(world: World) -> None:
    """The other psychiatrist, of record for patient B, sees B's chart and never A's."""
    other = PsychiatristOfRecord.objects.get(user=world.users["psychiatrist_other"])
    patient_b = world.patient_a.clinic.patients.get(family_name="Quorra")
    patient_b.psychiatrist_of_record = other
    patient_b.save()
    h.rate(patient_b, "phq9", 18, h.days_ago(5))
    client = world.client("psychiatrist_other")
    assert client.get(_url(patient_b.pk, json=True)).status_code == 200
    assert client.get(_url(world.patient_a.pk, json=True)).status_code == 404
    assert client.get(_url(999_999)).status_code == 404


def test_anonymous_goes_to_login(world: World) -> None:
    response = world.client("anonymous").get(_url(world.patient_a.pk))
    assert response.status_code == 302
    api = world.client("anonymous").get(
        f"/api/v1/outcomes/patients/{world.patient_a.pk}/life-chart"
    )
    assert api.status_code == 401


def test_reads_and_denials_are_audited(world: World) -> None:
    _chart_patient(world)
    world.client("psychiatrist_a").get(_url(world.patient_a.pk, json=True))
    read = AuditEvent.objects.filter(
        object_type="life_chart", action="read", outcome=AuditOutcome.SUCCESS
    ).get()
    assert read.patient_id == world.patient_a.pk
    assert read.actor_user_id == world.users["psychiatrist_a"].pk
    assert read.detail["ratings"] == 8 and read.detail["sessions"] == 3

    world.client("front_desk_x").get(_url(world.patient_a.pk))
    denied = AuditEvent.objects.filter(
        actor_user_id=world.users["front_desk_x"].pk, outcome=AuditOutcome.DENIED
    )
    assert denied.filter(object_type="life_chart").exists()
    world.client("nurse_y").get(_url(world.patient_a.pk))
    assert AuditEvent.objects.filter(
        actor_user_id=world.users["nurse_y"].pk, outcome=AuditOutcome.DENIED, object_type="patient"
    ).exists()


def test_api_matches_the_page_json(world: World) -> None:
    _chart_patient(world)
    client = world.client("nurse_x")
    page_json = client.get(_url(world.patient_a.pk, json=True)).json()
    api_json = client.get(f"/api/v1/outcomes/patients/{world.patient_a.pk}/life-chart").json()
    assert api_json == page_json
    assert client.get("/api/v1/outcomes/patients/0/life-chart").status_code == 422
