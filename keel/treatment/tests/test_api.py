"""/api/v1/treatment: plan, activate, schedule, check in, vitals; bad input names the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from conftest import World
from keel.treatment.models import SessionState, TreatmentSession
from keel.treatment.services import session_check_in
from keel.treatment.tests.helpers import cleared_patient

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: object = None) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json()


def test_course_to_checked_in_session_through_the_api(world: World) -> None:
    cleared_patient(world)
    physician, nurse = world.client("physician_x"), world.client("nurse_x")
    base = f"/api/v1/treatment/patients/{world.patient_a.pk}"
    status, course = _post(
        physician,
        f"{base}/course",
        {"route": "iv_racemic_ketamine", "dose_mg_per_kg": "0.50", "induction_sessions": 6},
    )
    assert status == 201, course
    status, course = _post(physician, f"{base}/course/activate")
    assert (status, course["status"]) == (200, "active"), course
    when = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    status, session = _post(nurse, f"{base}/sessions", {"scheduled_for": when})
    assert (status, session["number"]) == (201, 1), session
    status, session = _post(
        nurse,
        f"/api/v1/treatment/sessions/{session['id']}/check-in",
        {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"},
    )
    assert (status, session["state"]) == (200, SessionState.CHECKED_IN)
    status, vitals = _post(
        nurse,
        f"/api/v1/treatment/sessions/{session['id']}/vitals",
        {
            "context": "pre_dose",
            "systolic_bp": 126,
            "diastolic_bp": 82,
            "heart_rate": 70,
            "spo2": 98,
            "idempotency_key": "pre-1",
        },
    )
    assert status == 201, vitals
    again = _post(
        nurse,
        f"/api/v1/treatment/sessions/{session['id']}/vitals",
        {
            "context": "pre_dose",
            "systolic_bp": 126,
            "diastolic_bp": 82,
            "heart_rate": 70,
            "spo2": 98,
            "idempotency_key": "pre-1",
        },
    )
    assert again[1]["vitals"]["id"] == vitals["vitals"]["id"]
    assert len(nurse.get(f"/api/v1/treatment/sessions/{session['id']}/vitals").json()) == 1
    status, error = _post(
        nurse,
        f"/api/v1/treatment/sessions/{session['id']}/check-in",
        {"escort_name": "Robin", "escort_phone": "+1 555 0100 222"},
    )
    assert status == 409 and "cannot move" in str(error["detail"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"systolic_bp": 20}, "systolic_bp"),
        ({"systolic_bp": 400}, "systolic_bp"),
        ({"spo2": 120}, "spo2"),
        ({"heart_rate": "fast"}, "heart_rate"),
        ({"context": "lunch"}, "context"),
    ],
)
def test_vitals_out_of_range_get_422_naming_the_field(
    world: World, body: dict[str, object], field: str
) -> None:
    cleared_patient(world)
    physician = world.client("physician_x")
    base = f"/api/v1/treatment/patients/{world.patient_a.pk}"
    _post(
        physician,
        f"{base}/course",
        {"route": "iv_racemic_ketamine", "dose_mg_per_kg": "0.50", "induction_sessions": 6},
    )
    _post(physician, f"{base}/course/activate")
    _, session_out = _post(
        physician,
        f"{base}/sessions",
        {"scheduled_for": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
    )
    session_check_in(
        actor=world.actor("nurse_x"),
        session=TreatmentSession.objects.get(pk=session_out["id"]),
        escort_name="Robin",
        escort_phone="+1 555 0100 222",
    )
    values = {
        "context": "pre_dose",
        "systolic_bp": 126,
        "diastolic_bp": 82,
        "heart_rate": 70,
        "spo2": 98,
        **body,
    }
    status, error = _post(
        world.client("nurse_x"), f"/api/v1/treatment/sessions/{session_out['id']}/vitals", values
    )
    assert status == 422
    assert field in error["errors"]  # type: ignore[operator]


def test_sessions_of_another_clinic_are_404(world: World) -> None:
    cleared_patient(world)
    physician = world.client("physician_x")
    base = f"/api/v1/treatment/patients/{world.patient_a.pk}"
    _post(
        physician,
        f"{base}/course",
        {"route": "iv_racemic_ketamine", "dose_mg_per_kg": "0.50", "induction_sessions": 6},
    )
    _post(physician, f"{base}/course/activate")
    _, session = _post(
        physician,
        f"{base}/sessions",
        {"scheduled_for": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
    )
    assert (
        world.client("nurse_y").get(f"/api/v1/treatment/sessions/{session['id']}").status_code
        == 404
    )
    assert (
        world.client("front_desk_x").get(f"/api/v1/treatment/sessions/{session['id']}").status_code
        == 404
    )
    assert (
        world.client("nurse_x").get(f"/api/v1/treatment/sessions/{session['id']}").status_code
        == 200
    )


@override_settings(KEEL_SESSION_IDLE_SECONDS=24 * 3600)  # the test jumps the clock 2 hours
def test_chairside_steps_through_the_api(world: World) -> None:
    """Checklist, dose with a second clinician, start, stop, refused then allowed discharge."""
    import time_machine

    cleared_patient(world)
    physician, nurse = world.client("physician_x"), world.client("nurse_x")
    base = f"/api/v1/treatment/patients/{world.patient_a.pk}"
    _post(
        physician,
        f"{base}/course",
        {"route": "iv_racemic_ketamine", "dose_mg_per_kg": "0.50", "induction_sessions": 6},
    )
    _post(physician, f"{base}/course/activate")
    _, session = _post(
        nurse,
        f"{base}/sessions",
        {"scheduled_for": (timezone.now() + dt.timedelta(minutes=30)).isoformat()},
    )
    s = f"/api/v1/treatment/sessions/{session['id']}"
    _post(
        nurse, f"{s}/check-in", {"escort_name": "Robin Ellery", "escort_phone": "+1 555 0100 222"}
    )
    _post(nurse, f"{s}/pre-checks")
    calm = {"systolic_bp": 124, "diastolic_bp": 80, "heart_rate": 72, "spo2": 98}
    assert _post(nurse, f"{s}/vitals", {"context": "pre_dose", **calm})[0] == 201
    assert _post(nurse, f"{s}/ratings", {"instrument_id": "ymrs", "answers": [0] * 11})[0] == 201
    assert (
        _post(
            nurse,
            f"{s}/ratings",
            {"instrument_id": "cssrs_since_last_visit", "answers": [0, 0, None, None, None, 0]},
        )[0]
        == 201
    )
    checklist = {
        "weight_kg": "72.4",
        "open_mood_alert": "none",
        "escort_confirmed": True,
        "fasting_confirmed": True,
        "pregnancy_status": "negative",
        "med_change_benzodiazepine": False,
        "med_change_lamotrigine_dose": False,
        "med_change_stimulant": False,
        "med_change_maoi": False,
        "adverse_event_since_last": False,
        "acute_intoxication": False,
    }
    status, check = _post(nurse, f"{s}/checklist", checklist)
    assert (status, check["outcome"]) == (201, "go"), check
    status, dose = _post(
        nurse, f"{s}/dose", {"weight_kg": "72.4", "concentration_mg_per_ml": "10", "lot": "LOT-42"}
    )
    assert status == 201 and dose["dose_mg"] in {"36.00", "36.0", "36"}, dose
    assert _post(nurse, f"{s}/dose/verify")[0] == 403
    assert _post(nurse, f"{s}/dose/start")[0] == 409
    assert _post(physician, f"{s}/dose/verify")[0] == 200
    start = timezone.now()
    assert _post(nurse, f"{s}/dose/start")[1]["state"] == "monitoring"
    status, checked = _post(
        nurse,
        f"{s}/vitals",
        {
            "context": "during",
            "systolic_bp": 190,
            "diastolic_bp": 112,
            "heart_rate": 96,
            "spo2": 97,
        },
    )
    assert status == 201 and checked["stop_actions"], checked
    # The same rule firing again folds into its open stop event.
    _post(
        nurse,
        f"{s}/vitals",
        {
            "context": "during",
            "systolic_bp": 188,
            "diastolic_bp": 112,
            "heart_rate": 96,
            "spo2": 97,
        },
    )
    events = nurse.get(s).json()["stop_events"]
    bp = [e for e in events if e["rule_id"] == "stop.bp.pause_infusion"]
    assert len(bp) == 1 and bp[0]["open"] and bp[0]["count"] == 2, events
    # Ending the infusion 0 minutes into a 40-minute infusion needs a reason.
    status, early = _post(nurse, f"{s}/dose/stop")
    assert status == 422 and "reason" in str(early), early
    status, acted = _post(
        nurse, f"{s}/stop-events/{bp[0]['id']}/action", {"action": "paused", "note": "BP re-check"}
    )
    assert status == 200 and not acted["open"] and acted["action"] == "paused", acted
    assert _post(nurse, f"{s}/stop-events/{bp[0]['id']}/action", {"action": "paused"})[0] == 409
    stopped = _post(nurse, f"{s}/dose/stop", {"reason": "Blood pressure stayed high"})[1]
    assert stopped["state"] == "recovery", stopped
    assert stopped["stop_events"][0]["action_note"] == "BP re-check"
    status, refused = _post(
        nurse, f"{s}/discharge", {"escort_present": True, "no_driving_acknowledged": True}
    )
    assert status == 409 and "Discharge refused" in str(refused["detail"])
    with time_machine.travel(start + dt.timedelta(minutes=130), tick=False):
        _post(nurse, f"{s}/vitals", {"context": "recovery", **calm})
        _post(nurse, f"{s}/ratings", {"instrument_id": "moaas", "answers": [5]})
        _post(nurse, f"{s}/ratings", {"instrument_id": "cadss", "answers": [0] * 23})
        status, no_check = _post(
            nurse,
            f"{s}/discharge",
            {"escort_present": True, "no_driving_acknowledged": True, "escort_name": "Jo Kim"},
        )
        assert status == 409 and "exit check" in str(no_check["detail"]), no_check
        exit_check = {
            "new_suicidal_ideation": False,
            "mood_elevation": False,
            "perceptual_change": False,
            "walks_steadily": True,
            "nausea_or_dizziness": False,
        }
        assert _post(nurse, f"{s}/exit-check", exit_check)[0] == 201
        status, nameless = _post(
            nurse, f"{s}/discharge", {"escort_present": True, "no_driving_acknowledged": True}
        )
        assert status == 422 and "escort_name" in str(nameless), nameless
        status, done = _post(
            nurse,
            f"{s}/discharge",
            {"escort_present": True, "no_driving_acknowledged": True, "escort_name": "Jo Kim"},
        )
    assert status == 200, done
    assert done["state"] == "discharged"
    assert done["discharge_escort_name"] == "Jo Kim" and done["discharged_at"]
