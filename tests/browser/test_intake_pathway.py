"""End to end in Chromium: a demo patient from new evaluation to "cleared for a first session".

Dana (nurse) evaluates Jordan and enters the baseline ratings, Dr Okafor decides
"eligible" with a plan, Jordan signs consent in the clinic, and Dr Reyes
acknowledges the plan through her own login. Drew (psychosis history) is
blocked until the physician writes a reason.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from keel.demo import data as demo
from keel.demo.services import demo_load
from tests.browser.fixtures import axe_violations, screenshot, sign_out
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Yes/no questions answered "yes" for Jordan; every other yes/no question is "no".
YES = ("bipolar_diagnosis_confirmed", "medicines_reviewed", "hypertension_controlled")
RATINGS = demo.BASELINE_RATINGS


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def _tick(page: Page, selector: str) -> None:
    """Click the visible label of a USWDS radio or checkbox (the input itself is hidden)."""
    input_id = page.locator(selector).get_attribute("id")
    page.locator(f"label[for='{input_id}']").click()


def _open_patient(page: Page, name: str) -> None:
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_label("Search patients by name or MRN").fill(name.split(",")[0])
    page.get_by_role("link", name=name).click()


def test_patient_walks_from_evaluation_to_cleared(page: Page, live_server: object) -> None:
    demo_load(histories=False)
    base = str(live_server)

    # Dana: the evaluation and the baseline ratings.
    _sign_in(page, base, "dana")
    _open_patient(page, "Ellery, Jordan")
    page.get_by_role("link", name="Intake and eligibility").click()
    page.get_by_role("link", name="Start evaluation").click()
    page.get_by_label("ICD-10-CM code").fill("F31.81")
    page.get_by_label("Bipolar disorder type").select_option("bipolar_ii")
    page.get_by_label("Current episode").select_option("depressed")
    for name in page.locator("input[type=radio][value=false]").evaluate_all(
        "els => els.map(e => e.name)"
    ):
        _tick(page, f"input[name={name}][value={'true' if name in YES else 'false'}]")
    _tick(page, "input[name=antimanic_agents][value=lithium]")
    page.get_by_label("Lithium level (mmol/L)").fill("0.7")
    page.get_by_label("Lithium level date").fill("2026-11-10")
    page.get_by_label("Resting systolic BP (mmHg)").fill("118")
    page.get_by_label("Resting diastolic BP (mmHg)").fill("76")
    assert axe_violations(page) == []
    screenshot(page, "evaluation-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Evaluation saved")
    for instrument_id, answers in RATINGS.items():
        page.goto(
            f"{page.url.split('/intake/')[0]}/intake/patients/{_patient_id(page)}/ratings/{instrument_id}/"
        )
        for number, value in enumerate(answers, start=1):
            if value is not None:
                page.locator(f"select[name=item_{number}]").select_option(str(value))
        page.get_by_role("button", name="Save rating").click()
        expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text("Baseline ratings: 6 of 6 answered")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "intake-overview")
    sign_out(page)

    # Dr Okafor: the decision.
    _sign_in(page, base, "okafor")
    _open_patient(page, "Ellery, Jordan")
    page.get_by_role("link", name="Intake and eligibility").click()
    page.get_by_role("link", name="Review and decide").click()
    _tick(page, "input[name=outcome][value=eligible]")
    page.get_by_label("Proposed treatment plan").fill(
        "IV racemic ketamine 0.5 mg/kg, six sessions."
    )
    page.get_by_label("Mood-stabilizer plan").fill("Continue lithium; level before session four.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Eligible, decided by")).to_be_visible()
    sign_out(page)

    # Dana: Jordan signs consent in the clinic.
    _sign_in(page, base, "dana")
    _open_patient(page, "Ellery, Jordan")
    page.get_by_role("link", name="Consent").click()
    expect(page.get_by_text("off-label", exact=False).first).to_be_visible()
    page.get_by_label("Patient's full name").fill("Jordan Ellery")
    page.get_by_text("I have read this and agree").click()
    page.get_by_text("I was with the patient and saw them sign in person").click()
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_role("link", name=re.compile("Download the signed PDF"))).to_be_visible()
    _open_patient(page, "Ellery, Jordan")
    page.get_by_role("link", name="Psychiatrist of record").click()
    expect(page.get_by_role("heading", name="Not yet cleared for a first session")).to_be_visible()
    sign_out(page)

    # Dr Reyes, in her own restricted login, acknowledges the plan.
    _sign_in(page, base, "reyes")
    page.get_by_role("link", name="My patients", exact=True).click()
    expect(page.get_by_test_id("my-patients")).not_to_contain_text("Quill, Harper")
    page.get_by_role("link", name="Ellery, Jordan").click()
    page.get_by_text(re.compile("I have read the plan")).click()
    page.get_by_role("button", name="Acknowledge the plan").click()
    expect(page.get_by_role("heading", name="Cleared for a first session")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "cleared")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "cleared-phone")
    call_command("verify_audit_chain")


def _patient_id(page: Page) -> str:
    match = re.search(r"/intake/patients/(\d+)/", page.url)
    assert match is not None, page.url
    return match.group(1)


def test_psychosis_history_is_blocked_until_a_reasoned_override(
    page: Page, live_server: object
) -> None:
    demo_load(histories=False)
    base = str(live_server)
    _sign_in(page, base, "okafor")
    _open_patient(page, "Halvorsen, Drew")
    page.get_by_role("link", name="Intake and eligibility").click()
    expect(page.get_by_text("override needs a reason").first).to_be_visible()
    page.get_by_role("link", name="Review and decide").click()
    _tick(page, "input[name=outcome][value=eligible]")
    page.get_by_label("Proposed treatment plan").fill(
        "IV racemic ketamine 0.5 mg/kg, six sessions."
    )
    page.get_by_label("Mood-stabilizer plan").fill("Continue valproate; level before session one.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Reason for accepting despite")
    screenshot(page, "decision-blocked")
    page.get_by_label(re.compile("Reason for accepting despite.*psychosis", re.IGNORECASE)).fill(
        "One brief stimulant-induced episode in 2009, none since; psychiatrist agrees."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Eligible, decided by")).to_be_visible()
    expect(page.get_by_role("table").last).to_contain_text(
        "eligibility.psychosis.history: One brief"
    )
