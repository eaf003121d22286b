"""End to end in Chromium: a nurse and a physician run an IV session for a cleared demo patient.

Dr Okafor plans and activates Kai's course; Dana books and runs session 1:
check-in with the escort, pre-dose vitals and ratings, the go / no-go
checklist, the dose with its arithmetic; Dr Okafor (in his own browser)
verifies the dose independently; a monitoring checkpoint falls overdue and
shows as such; a raised blood pressure fires a stop rule at once; discharge
is refused while the criteria are unmet, then, after the observation time and
with recovery readings back near baseline, the patient is discharged to the
escort; the discharge summary opens; the controlled-substance ledger balance of
the lot equals the receipt minus the volume given.

Time passing: instead of waiting an hour in real time (or moving the clock of
the whole process, which signs idle browsers out), ``_time_passes`` moves this
session's recorded times into the past by the same amount. Every duration the
server computes (checkpoints due, minutes since infusion end) then sees exactly
what it would see after waiting.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from keel.demo import data as demo
from keel.demo.services import demo_load
from keel.monitoring.models import Assessment
from keel.treatment.models import (
    DoseAdministration,
    SessionEvent,
    TreatmentSession,
    VitalSigns,
)
from tests.browser.fixtures import axe_violations, screenshot
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def _tick(page: Page, selector: str) -> None:
    input_id = page.locator(selector).get_attribute("id")
    page.locator(f"label[for='{input_id}']").click()


def _rate(page: Page, name: str, answers: list[int | None]) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    for number, value in enumerate(answers, start=1):
        if value is not None:
            page.locator(f"select[name=item_{number}]").select_option(str(value))
    page.get_by_role("button", name="Save rating").click()


def _vitals(page: Page, context: str, sbp: int, dbp: int, hr: int, spo2: int) -> None:
    page.get_by_label("When").select_option(context)
    page.get_by_label("Systolic BP (mmHg)").fill(str(sbp))
    page.get_by_label("Diastolic BP (mmHg)").fill(str(dbp))
    page.get_by_label("Heart rate (/min)").fill(str(hr))
    page.get_by_label("SpO2 (%)").fill(str(spo2))
    page.get_by_role("button", name="Record vitals").click()
    expect(page.get_by_test_id("vitals")).to_contain_text(f"{sbp}/{dbp}")


def _time_passes(session_url: str, minutes: int) -> None:
    """Move everything recorded for this session ``minutes`` into the past.

    The live server shares the in-memory SQLite database with this thread; a
    request it is serving (the checkpoints poll) can hold the table lock for a
    moment, so the shift is retried until the lock is free.
    """
    for attempt in range(40):
        try:
            with transaction.atomic():
                _shift(session_url, minutes)
            return
        except OperationalError:
            if attempt == 39:
                raise
            time.sleep(0.25)


def _shift(session_url: str, minutes: int) -> None:
    session_id = int(session_url.rstrip("/").rsplit("/", 1)[1])
    shift = dt.timedelta(minutes=minutes)
    session = TreatmentSession.objects.get(pk=session_id)
    TreatmentSession.objects.filter(pk=session_id).update(
        scheduled_for=F("scheduled_for") - shift,
        state_changed_at=F("state_changed_at") - shift,
        dose_started_at=F("dose_started_at") - shift,
        infusion_ended_at=F("infusion_ended_at") - shift,
    )
    DoseAdministration.objects.filter(session_id=session_id).update(
        prepared_at=F("prepared_at") - shift,
        verified_at=F("verified_at") - shift,
        started_at=F("started_at") - shift,
        stopped_at=F("stopped_at") - shift,
    )
    VitalSigns.objects.filter(session_id=session_id).update(taken_at=F("taken_at") - shift)
    SessionEvent.objects.filter(session_id=session_id).update(recorded_at=F("recorded_at") - shift)
    Assessment.objects.filter(
        patient_id=session.patient_id, taken_at__gte=session.scheduled_for - dt.timedelta(hours=12)
    ).update(taken_at=F("taken_at") - shift)


def test_nurse_and_physician_run_an_iv_session(
    page: Page, browser: Browser, live_server: object
) -> None:
    demo_load(histories=False)
    base = str(live_server)

    # Dr Okafor plans and activates Kai's course, then books session 1.
    _sign_in(page, base, "okafor")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Sorensen, Kai").click()
    page.get_by_role("link", name="Treatment").click()
    expect(page.get_by_role("heading", name="Cleared for a first session")).to_be_visible()
    page.get_by_label("Route").select_option("iv_racemic_ketamine")
    page.get_by_label("Dose (mg/kg)").fill("0.5")
    page.get_by_role("button", name="Plan the course").click()
    page.get_by_role("button", name="Activate the course").click()
    when = timezone.localtime(
        timezone.now() + dt.timedelta(minutes=10), timezone.get_fixed_timezone(-300)
    )
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Book the next session").click()
    expect(page.get_by_test_id("sessions")).to_contain_text("Session 1")
    session_url = page.get_by_role("link", name="Session 1").get_attribute("href")

    # Dana runs the session in her own browser.
    nurse_context = browser.new_context(viewport={"width": 1024, "height": 1366}, bypass_csp=False)
    nurse = nurse_context.new_page()
    nurse.set_default_timeout(15_000)
    _sign_in(nurse, base, "dana")
    nurse.goto(f"{base}/inventory/")
    balance_before = Decimal(nurse.get_by_test_id("balance-KET-2611-A").inner_text())
    nurse.goto(f"{base}{session_url}")
    nurse.get_by_label("Escort's name").fill("Jamie Sorensen")
    nurse.get_by_label("Escort's phone").fill("+1 555 0142 900")
    nurse.get_by_role("button", name="Check in").click()
    nurse.get_by_role("button", name="Start the pre-session checks").click()
    _vitals(nurse, "pre_dose", 126, 82, 74, 98)
    _rate(nurse, "YMRS", [0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    _rate(nurse, "C-SSRS Screener", [0, 0, None, None, None, 0])
    nurse.get_by_label("Weight today (kg)").fill("69.5")
    for name in ("escort_confirmed", "fasting_confirmed"):
        _tick(nurse, f"input[name={name}][value=true]")
    for name in (
        "med_change_benzodiazepine",
        "med_change_lamotrigine_dose",
        "med_change_stimulant",
        "med_change_maoi",
        "adverse_event_since_last",
        "acute_intoxication",
    ):
        _tick(nurse, f"input[name={name}][value=false]")
    nurse.get_by_label("Pregnancy").select_option("not_applicable")
    nurse.get_by_role("button", name="Check go / no-go").click()
    expect(nurse.get_by_test_id("precheck-outcome")).to_contain_text("Go")
    nurse.get_by_label("Dosing weight (kg)").fill("69.5")
    nurse.get_by_label("Concentration (mg/mL)").fill("10")
    nurse.get_by_label("Lot number").fill("KET-2611-A")
    nurse.get_by_role("button", name="Calculate the dose").click()
    expect(nurse.get_by_test_id("dose-arithmetic")).to_contain_text("69.5")
    expect(nurse.get_by_text("Awaiting an independent second check")).to_be_visible()
    assert axe_violations(nurse) == []
    screenshot(nurse, "session-dose-tablet")

    # Dr Okafor verifies the dose independently in his browser.
    page.goto(f"{base}{session_url}")
    page.get_by_role("button", name="I have checked the dose independently").click()
    expect(page.get_by_text("Verified by")).to_be_visible()

    nurse.reload()
    nurse.get_by_role("button", name="Start administration").click()
    expect(nurse.get_by_test_id("session-state")).to_have_text("Monitoring")
    expect(nurse.get_by_role("heading", name="Monitoring schedule")).to_be_visible()
    # Twenty minutes on, nothing has been recorded since the dose started: overdue.
    _time_passes(session_url, 20)
    nurse.reload()
    overdue = nurse.locator(".keel-checkpoint--overdue")
    expect(overdue.first).to_be_visible()
    expect(overdue.first).to_contain_text("overdue")
    # A raised reading answers at once: the stop prompt at the top, focused, the chart redrawn,
    # without a page reload (the marker set on this window survives).
    nurse.evaluate("window.keelNoReload = true")
    _vitals(nurse, "during", 188, 112, 98, 97)
    prompt = nurse.get_by_test_id("stop-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_have_attribute("role", "alert")
    expect(nurse.get_by_role("heading", name="Stop or pause rule")).to_be_visible()
    expect(prompt).to_be_focused()
    nurse.wait_for_function(
        "() => { const c = document.getElementById('vitals-chart');"
        " return !!(c && c.data && c.data[0].y.indexOf(188) >= 0); }"
    )
    assert nurse.evaluate("window.keelNoReload === true")
    # The same reading again folds into the open event instead of adding a line.
    _vitals(nurse, "during", 186, 112, 98, 97)
    expect(prompt.get_by_test_id("stop-event").first).to_contain_text("fired 2 times")
    assert axe_violations(nurse) == []
    screenshot(nurse, "session-stop-prompt-tablet")
    # The nurse records the action taken; that closes each event.
    while prompt.get_by_role("button", name="Record the action").count():
        prompt.get_by_label("Action taken").first.select_option("paused")
        prompt.get_by_role("button", name="Record the action").first.click()
        expect(nurse.get_by_text("Infusion paused: recorded")).to_be_visible()
    expect(nurse.get_by_test_id("stop-prompt")).to_have_count(0)
    _rate(nurse, "MOAA/S", [4])
    # 20 minutes into a 40-minute infusion: ending it needs a reason.
    nurse.get_by_role("button", name="Infusion ended: start recovery").click()
    expect(nurse.get_by_text("write why it ended early")).to_be_visible()
    nurse.get_by_label(re.compile("Why the infusion ended early")).fill(
        "Blood pressure stayed high after the pause"
    )
    nurse.get_by_role("button", name="Infusion ended: start recovery").click()
    expect(nurse.get_by_test_id("session-state")).to_have_text("Recovery")
    nurse.get_by_text("The escort is here to take the patient home").click()
    nurse.get_by_role("button", name="Discharge").click()
    expect(nurse.get_by_text("Discharge refused")).to_be_visible()
    # Each time criterion says when it is met, in clinic time.
    expect(nurse.get_by_test_id("met-at").first).to_contain_text(re.compile(r"Met at \d\d:\d\d"))
    assert axe_violations(nurse) == []
    screenshot(nurse, "session-recovery-tablet")

    # Over an hour after the infusion ended (and 90 min of MOAA/S watch), readings are back near baseline: discharge.
    _time_passes(session_url, 75)
    nurse.reload()
    _vitals(nurse, "recovery", 128, 80, 74, 98)
    _rate(nurse, "MOAA/S", [5])
    _rate(nurse, "CADSS", [0] * 23)
    # The exit check (safety and mobility) comes before the discharge.
    for name, answer in (
        ("new_suicidal_ideation", "false"),
        ("mood_elevation", "false"),
        ("perceptual_change", "false"),
        ("walks_steadily", "true"),
        ("nausea_or_dizziness", "false"),
    ):
        _tick(nurse, f"input[name={name}][value={answer}]")
    nurse.get_by_role("button", name="Record the exit check").click()
    expect(nurse.get_by_text("Exit check recorded: no finding.")).to_be_visible()
    nurse.get_by_text("The escort is here to take the patient home").click()
    nurse.get_by_text("The patient understands: no driving").click()
    expect(nurse.get_by_label("Escort at hand-off (name)")).to_have_value("Jamie Sorensen")
    nurse.get_by_role("button", name="Discharge").click()
    expect(nurse.get_by_test_id("session-state")).to_have_text("Discharged")
    nurse.get_by_role("link", name="Discharge summary").click()
    expect(nurse.get_by_test_id("summary-escort")).to_have_text("Jamie Sorensen")
    assert axe_violations(nurse) == []
    screenshot(nurse, "session-discharge-summary")

    # The ledger: the lot's balance dropped by exactly the volume given.
    dose = DoseAdministration.objects.get(session__pk=int(session_url.rstrip("/").split("/")[-1]))
    assert dose.lot == "KET-2611-A"
    nurse.goto(f"{base}/inventory/")
    expect(nurse.get_by_test_id(f"balance-{dose.lot}")).to_have_text(
        str(balance_before - dose.volume_ml)
    )
    with nurse.expect_download() as download:
        nurse.get_by_role("link", name="Download the ledger (CSV)").click()
    exported = Path(download.value.path()).read_text()
    administered = [line for line in exported.splitlines() if "administration" in line.lower()]
    assert any(dose.lot in line and str(dose.volume_ml) in line for line in administered), exported
    nurse_context.close()


def test_the_rems_form_of_a_discharged_esketamine_session_opens(
    page: Page, live_server: object
) -> None:
    """Gray's esketamine session 2 (full demo): the printed REMS form downloads as a PDF."""
    demo_load()
    base = str(live_server)
    _sign_in(page, base, "dana")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Nakashima, Gray").click()
    page.get_by_role("link", name="Treatment").click()
    page.get_by_role("link", name="Session 2").click()
    expect(page.get_by_role("heading", name="REMS monitoring form")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Form ")).first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    # A new print from the same record: a second export with its own hash.
    page.get_by_role("button", name="Print the REMS monitoring form").click()
    expect(page.get_by_role("link", name=re.compile(r"^Form "))).to_have_count(2)
    assert axe_violations(page) == []
