"""The course page and the chairside session page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from keel.treatment.models import SessionState, TreatmentSession
from keel.treatment.tests.helpers import cleared_patient

pytestmark = pytest.mark.django_db


def test_physician_plans_activates_and_books_from_the_course_page(world: World) -> None:
    cleared_patient(world)
    client = world.client("physician_x")
    url = f"/treatment/patients/{world.patient_a.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "form": "course",
            "route": "iv_racemic_ketamine",
            "dose_mg_per_kg": "0.50",
            "induction_sessions": "6",
            "maintenance_sessions": "0",
        },
    )
    assert response.status_code == 302
    assert client.post(url, {"form": "activate"}).status_code == 302
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"form": "schedule", "scheduled_for": when}).status_code == 302
    assert TreatmentSession.objects.filter(patient=world.patient_a).count() == 1


def test_course_page_refuses_an_esketamine_course_without_a_fixed_dose(world: World) -> None:
    cleared_patient(world)
    response = world.client("physician_x").post(
        f"/treatment/patients/{world.patient_a.pk}/",
        {
            "form": "course",
            "route": "intranasal_esketamine",
            "induction_sessions": "8",
            "maintenance_sessions": "0",
        },
    )
    assert response.status_code == 422
    assert "esketamine_dose_mg" in response.context["course_form"].errors


def test_chairside_check_in_and_vitals_by_htmx(world: World) -> None:
    cleared_patient(world)
    physician = world.client("physician_x")
    url = f"/treatment/patients/{world.patient_a.pk}/"
    physician.post(
        url,
        {
            "form": "course",
            "route": "iv_racemic_ketamine",
            "dose_mg_per_kg": "0.50",
            "induction_sessions": "6",
            "maintenance_sessions": "0",
        },
    )
    physician.post(url, {"form": "activate"})
    physician.post(
        url,
        {
            "form": "schedule",
            "scheduled_for": (timezone.localtime() + dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    session = TreatmentSession.objects.get(patient=world.patient_a)
    nurse = world.client("nurse_x")
    page = f"/treatment/sessions/{session.pk}/"
    missing = nurse.post(f"{page}check-in/", {"escort_name": "", "escort_phone": ""})
    assert missing.status_code == 422
    nurse.post(
        f"{page}check-in/", {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"}
    )
    session.refresh_from_db()
    assert session.state == SessionState.CHECKED_IN
    response = nurse.post(
        f"{page}vitals/",
        {
            "context": "pre_dose",
            "systolic_bp": "128",
            "diastolic_bp": "84",
            "heart_rate": "71",
            "spo2": "98",
            "idempotency_key": "abc",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"128/84" in response.content
    bad = nurse.post(
        f"{page}vitals/",
        {
            "context": "pre_dose",
            "systolic_bp": "400",
            "diastolic_bp": "84",
            "heart_rate": "71",
            "spo2": "98",
        },
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422
    assert b"Systolic" in bad.content
    assert session.vitals.count() == 1
    assert world.client("nurse_y").get(page).status_code == 404
