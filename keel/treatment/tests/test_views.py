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


@pytest.mark.django_db
def test_chairside_page_walks_a_session_to_discharge(world: World) -> None:
    """Every panel renders and every button works, from checklist to discharge."""
    import time_machine
    from django.test import override_settings

    from keel.treatment.tests.helpers import scheduled_session

    session = scheduled_session(world)
    nurse, physician = world.client("nurse_x"), world.client("physician_x")
    page = f"/treatment/sessions/{session.pk}/"
    nurse.post(
        f"{page}check-in/", {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"}
    )
    nurse.post(f"{page}pre-checks/")
    calm = {
        "context": "pre_dose",
        "systolic_bp": "124",
        "diastolic_bp": "80",
        "heart_rate": "72",
        "spo2": "98",
    }
    nurse.post(f"{page}vitals/", calm)
    ratings = {"ymrs": ["0"] * 11, "cssrs_since_last_visit": ["0", "0", "", "", "", "0"]}
    for instrument_id, answers in ratings.items():
        assert nurse.get(f"{page}ratings/{instrument_id}/").status_code == 200
        response = nurse.post(
            f"{page}ratings/{instrument_id}/",
            {f"item_{n}": v for n, v in enumerate(answers, start=1)},
        )
        assert response.status_code == 302, response.content[:2000]
    checklist = {
        "weight_kg": "72.4",
        "open_mood_alert": "none",
        "escort_confirmed": "true",
        "fasting_confirmed": "true",
        "pregnancy_status": "negative",
        "med_change_benzodiazepine": "false",
        "med_change_lamotrigine_dose": "false",
        "med_change_stimulant": "false",
        "med_change_maoi": "false",
        "adverse_event_since_last": "false",
        "acute_intoxication": "false",
    }
    assert nurse.post(f"{page}checklist/", checklist).status_code == 302
    response = nurse.get(page)
    assert b"Calculate the dose" in response.content and b"Go" in response.content
    assert (
        nurse.post(
            f"{page}dose/", {"weight_kg": "72.4", "concentration_mg_per_ml": "10", "lot": "LOT-42"}
        ).status_code
        == 302
    )
    assert b"0.5 mg/kg" in nurse.get(page).content
    nurse.post(f"{page}verify/")  # refused: same clinician
    assert b"Awaiting an independent second check" in nurse.get(page).content
    physician.post(f"{page}verify/")
    start = timezone.now()
    nurse.post(f"{page}start/")
    response = nurse.get(page)
    assert b"Monitoring schedule" in response.content
    assert world.client("nurse_x").get(f"{page}checkpoints/").status_code == 200
    nurse.post(
        f"{page}vitals/", {**calm, "context": "during", "systolic_bp": "190", "diastolic_bp": "112"}
    )
    assert b"Stop or pause rule" in nurse.get(page).content
    early = nurse.post(f"{page}stop/")
    assert early.status_code == 422 and b"ended early" in early.content
    nurse.post(f"{page}stop/", {"reason": "Blood pressure stayed high"})
    refused = nurse.post(
        f"{page}discharge/", {"escort_present": "on", "no_driving_acknowledged": "on"}
    )
    assert refused.status_code == 409 and b"Discharge refused" in refused.content
    with (
        override_settings(KEEL_SESSION_IDLE_SECONDS=24 * 3600),
        time_machine.travel(start + dt.timedelta(minutes=130), tick=False),
    ):
        running = nurse.get(f"{page}checkpoints/").content.decode()
        assert "— overdue: bp, hr, spo2" in running and "missed" not in running
        nurse.post(f"{page}vitals/", {**calm, "context": "recovery"})
        nurse.post(f"{page}ratings/moaas/", {"item_1": "5"})
        nurse.post(f"{page}ratings/cadss/", {f"item_{n}": "0" for n in range(1, 24)})
        assert b"Record the exit check" in nurse.get(page).content
        exit_check = {
            "new_suicidal_ideation": "false",
            "mood_elevation": "false",
            "perceptual_change": "false",
            "walks_steadily": "true",
            "nausea_or_dizziness": "false",
        }
        assert nurse.post(f"{page}exit-check/", exit_check).status_code == 302
        nameless = nurse.post(
            f"{page}discharge/", {"escort_present": "on", "no_driving_acknowledged": "on"}
        )
        assert nameless.status_code == 422 and b"adult taking the patient home" in nameless.content
        assert b"Discharge summary" not in nurse.get(page).content
        assert nurse.get(f"{page}summary/").status_code == 302
        assert (
            nurse.post(
                f"{page}discharge/",
                {
                    "escort_present": "on",
                    "no_driving_acknowledged": "on",
                    "escort_name": "Jamie Doe",
                },
            ).status_code
            == 302
        )
    session.refresh_from_db()
    assert session.state == SessionState.DISCHARGED
    assert session.discharge_escort_name == "Jamie Doe"
    # Once discharged, a checkpoint without its readings was missed: nothing is overdue any more,
    # and the page stops polling the schedule.
    ended = nurse.get(f"{page}checkpoints/").content.decode()
    assert "— missed: bp, hr, spo2" in ended and "overdue" not in ended
    assert "keel-checkpoint--missed" in ended
    assert 'hx-trigger="every 30s"' not in nurse.get(page).content.decode()
    summary = nurse.get(f"{page}summary/")
    assert summary.status_code == 200
    body = summary.content.decode()
    assert "Jamie Doe" in body and "Discharge summary" in body
    assert "No driving until the next day" in body
    dose = session.dose
    assert f"lot {dose.lot}" in body and f"{dose.dose_mg} mg" in body
