"""Staff pages: check-in schedules with due state, defaults per phase, visit ratings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditEvent
from keel.monitoring.defaults import DEFAULTS, CoursePhase
from keel.monitoring.models import Assessment, Assignment, Frequency
from keel.monitoring.selectors import clinic_today
from keel.monitoring.services import assignment_create

pytestmark = pytest.mark.django_db


def _check_ins(world: World) -> str:
    return reverse("monitoring:check_ins", args=[world.patient_a.pk])


def test_check_ins_page_shows_state_and_last_completed(world: World) -> None:
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="asrm",
        frequency="weekly",
        start_date=clinic_today(world.patient_a) - dt.timedelta(days=3),
    )
    page = world.client("nurse_x").get(_check_ins(world)).content.decode()
    assert "ASRM" in page
    assert "overdue" in page and "(3 days)" in page
    assert "never" in page
    assert "demo wording only" in page  # the test settings are the demo
    assert "Project convention" in page or "project convention" in page
    # Psychiatrist A reads the page without the forms; front desk has no clinical access.
    reader = world.client("psychiatrist_a").get(_check_ins(world)).content.decode()
    assert "Add a check-in" not in reader
    assert world.client("front_desk_x").get(_check_ins(world)).status_code == 404


def test_add_and_end_a_check_in_from_the_page(world: World) -> None:
    client = world.client("nurse_x")
    response = client.post(
        _check_ins(world), {"form": "add", "instrument_id": "phq9", "frequency": "weekly"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(patient=world.patient_a)
    assert (assignment.frequency, assignment.start_date) == (
        "weekly",
        clinic_today(world.patient_a),
    )
    bad = client.post(
        _check_ins(world),
        {"form": "add", "instrument_id": "phq9", "frequency": "hourly"},
    )
    assert bad.status_code == 422
    client.post(_check_ins(world), {"form": "end", "assignment_id": str(assignment.pk)})
    assignment.refresh_from_db()
    assert assignment.active is False
    assert assignment.end_date == clinic_today(world.patient_a)
    assert (
        world.client("psychiatrist_a")
        .post(_check_ins(world), {"form": "add", "instrument_id": "asrm", "frequency": "weekly"})
        .status_code
        == 404
    )
    actions = list(
        AuditEvent.objects.filter(object_type="assignment").values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_defaults_follow_reference_section_0(world: World) -> None:
    induction = {d.instrument_id: d.frequency for d in DEFAULTS[CoursePhase.INDUCTION]}
    assert induction == {
        "diary": Frequency.DAILY,
        "phq9": Frequency.WEEKLY,
        "qids_sr16": Frequency.WEEKLY,
        "asrm": Frequency.WEEKLY,
    }
    assert all("REFERENCE.md §0" in d.basis for rows in DEFAULTS.values() for d in rows)
    maintenance = {d.instrument_id: d for d in DEFAULTS[CoursePhase.MAINTENANCE]}
    assert maintenance["phq9"].frequency == Frequency.FORTNIGHTLY
    assert maintenance["phq9"].convention  # "every 2-4 weeks": the 2 is Keel's choice


def test_apply_defaults_from_the_page_keeps_matching_schedules(world: World) -> None:
    client = world.client("physician_x")
    url = reverse("monitoring:defaults", args=[world.patient_a.pk])
    assert client.post(url, {"phase": "induction"}).status_code == 302
    assert set(
        Assignment.objects.filter(active=True).values_list("instrument_id", "frequency")
    ) == {("diary", "daily"), ("phq9", "weekly"), ("qids_sr16", "weekly"), ("asrm", "weekly")}
    client.post(url, {"phase": "induction"})
    assert Assignment.objects.count() == 4  # nothing doubled
    client.post(url, {"phase": "maintenance"})
    assert Assignment.objects.filter(active=True, instrument_id="phq9").get().frequency == (
        "fortnightly"
    )
    assert Assignment.objects.filter(active=False, instrument_id="phq9").count() == 1


def test_record_a_madrs_at_a_visit(world: World) -> None:
    client = world.client("nurse_x")
    url = reverse("monitoring:rating", args=[world.patient_a.pk, "madrs"])
    page = client.get(url).content.decode()
    assert "not the official wording" in page
    data = {"purpose": "pre_session", **{f"item_{n}": "2" for n in range(1, 11)}}
    response = client.post(url, data)
    assert response.status_code == 302
    rating = Assessment.objects.get()
    assert (rating.instrument_id, rating.total, rating.purpose) == ("madrs", 20, "pre_session")
    assert rating.recorded_by == world.users["nurse_x"]
    assert "suicidal_ideation" in rating.flags  # item 10 = 2
    future = {**data, "taken_at": "2999-01-01T10:00"}
    assert client.post(url, future).status_code == 422
    assert Assessment.objects.count() == 1


def test_rating_page_refuses_other_instruments_and_other_roles(world: World) -> None:
    client = world.client("nurse_x")
    assert (
        client.get(reverse("monitoring:rating", args=[world.patient_a.pk, "cadss"])).status_code
        == 404
    )
    url = reverse("monitoring:rating", args=[world.patient_a.pk, "ymrs"])
    assert world.client("psychiatrist_a").get(url).status_code == 404
    assert world.client("nurse_y").get(url).status_code == 404
