"""In Chromium: a physician cannot discharge past a safety floor (issue 15).

Kai's IV session is brought to recovery through the services (the pathway itself is walked in
test_treatment_session.py), then moved two hours into the past so every time criterion is met.
MOAA/S is 3: Dr Okafor tries to discharge, sees the sedation floor named with its source, and the
page offers no override for it; the session stays in recovery.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from keel.accounts.models import User
from keel.accounts.selectors import Actor, actor_build
from keel.demo.services import demo_load
from keel.patients.models import Patient
from keel.treatment.models import Route, SessionState, TreatmentSession, VitalContext
from keel.treatment.services import (
    course_activate,
    course_create,
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_record,
    session_check_in,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)
from tests.browser.fixtures import axe_violations, screenshot
from tests.browser.test_treatment_session import _shift, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALM = {"systolic_bp": 126, "diastolic_bp": 82, "heart_rate": 74, "spo2": 98}
CHECKLIST = {
    "weight_kg": Decimal("69.5"),
    "escort_confirmed": True,
    "fasting_confirmed": True,
    "pregnancy_status": "not_applicable",
    "med_change_benzodiazepine": False,
    "med_change_lamotrigine_dose": False,
    "med_change_stimulant": False,
    "med_change_maoi": False,
    "adverse_event_since_last": False,
    "acute_intoxication": False,
}


def _actor(username: str, patient: Patient) -> Actor:
    actor = actor_build(user=User.objects.get(username=username), clinic_id=patient.clinic_id)
    assert actor is not None
    return actor


def _session_in_recovery() -> TreatmentSession:
    patient = Patient.objects.get(given_name="Kai", family_name="Sorensen")
    okafor, dana = _actor("okafor", patient), _actor("dana", patient)
    course = course_create(
        actor=okafor,
        patient=patient,
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg_per_kg=Decimal("0.5"),
        induction_sessions=6,
    )
    course_activate(actor=okafor, course=course)
    session = session_schedule(
        actor=dana, course=course, scheduled_for=timezone.now() + dt.timedelta(minutes=5)
    )
    session = session_check_in(
        actor=dana, session=session, escort_name="Jamie Sorensen", escort_phone="+1 555 0142 900"
    )
    session = session_start_prechecks(actor=dana, session=session)
    vitals_record(actor=dana, session=session, context=VitalContext.PRE_DOSE, **CALM)
    session_rating_record(actor=dana, session=session, instrument_id="ymrs", answers=[0] * 11)
    session_rating_record(
        actor=dana,
        session=session,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
    )
    session_rating_record(actor=dana, session=session, instrument_id="cadss", answers=[0] * 23)
    check = precheck_record(actor=dana, session=session, answers=CHECKLIST)
    assert check.outcome == "go", check.fired_rule_ids
    dose = dose_prepare(
        actor=dana,
        session=session,
        weight_kg=Decimal("69.5"),
        concentration_mg_per_ml=Decimal("10"),
        lot="KET-2611-A",
    )
    dose_verify(actor=okafor, dose=dose)
    session = dose_start(actor=dana, dose=dose)
    session = dose_stop(actor=dana, session=session, reason="Ended early in this test")
    _shift(f"/treatment/sessions/{session.pk}/", 130)
    vitals_record(actor=dana, session=session, context=VitalContext.RECOVERY, **CALM)
    session_rating_record(actor=dana, session=session, instrument_id="moaas", answers=[3])
    session_rating_record(actor=dana, session=session, instrument_id="cadss", answers=[0] * 23)
    return session


@pytest.mark.parametrize(("size", "width", "height"), [("desk", 1366, 900), ("phone", 390, 844)])
def test_a_physician_cannot_discharge_past_the_sedation_floor(
    browser: Browser, live_server: object, size: str, width: int, height: int
) -> None:
    demo_load(histories=False)
    session = _session_in_recovery()
    base = str(live_server)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "okafor")  # the sign-out button it waits for is in the phone's menu
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/treatment/sessions/{session.pk}/")
    expect(page.get_by_test_id("session-state")).to_have_text("Recovery")
    page.get_by_text("The escort is here to take the patient home").click()
    page.get_by_text("The patient understands: no driving").click()
    page.get_by_role("button", name="Discharge").click()

    unmet = page.get_by_test_id("discharge-unmet")
    floor = unmet.locator("li", has_text="Sedation not fully resolved")
    expect(floor).to_contain_text("A safety floor: no one can override it.")
    expect(floor).to_contain_text("REFERENCE.md §6")
    # A physician may override criteria that allow it, never the floor itself.
    expect(floor.locator("input[type=checkbox]")).to_have_count(0)
    expect(page.locator("input[name=overridden][value='discharge.sedation.moaas']")).to_have_count(
        0
    )
    screenshot(page, f"discharge-floor-{size}")
    violations = axe_violations(page)
    assert violations == [], [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations  # type: ignore[attr-defined]
    ]
    session.refresh_from_db()
    assert session.state == SessionState.RECOVERY
    context.close()
