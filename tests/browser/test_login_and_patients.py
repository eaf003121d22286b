"""End to end in Chromium: sign in, the home page, registering a patient, clinic isolation."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from keel.accounts.roles import Role
from keel.accounts.tests.factories import TEST_PASSWORD, ClinicFactory, staff_member
from keel.demo import data as demo
from keel.demo.services import demo_load
from keel.patients.tests.factories import PatientFactory
from tests.browser.fixtures import axe_violations, screenshot, sign_out
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)


def test_demo_nurse_signs_in_and_sees_an_accessible_home_page(
    page: Page, live_server: object
) -> None:
    """Dana, the demo nurse, signs in; the home page has no serious or critical axe findings."""
    demo_load(histories=False)
    base = str(live_server)
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert axe_violations(page) == []
    screenshot(page, "login-desktop")

    _sign_in(page, base, "dana", demo.DEMO_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana")
    expect(page.get_by_role("link", name="Patients").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "home-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "home-phone")


def test_nurse_registers_a_patient_and_another_clinic_cannot_see_it(
    page: Page, live_server: object
) -> None:
    """A nurse creates a patient and finds it in the list; a nurse elsewhere gets 404."""
    base = str(live_server)
    clinic_x = ClinicFactory(name="North Clinic", mrn_prefix="NO")
    clinic_y = ClinicFactory(name="South Clinic", mrn_prefix="SO")
    staff_member(clinic=clinic_x, role=Role.NURSE, username="north_nurse")
    staff_member(clinic=clinic_y, role=Role.NURSE, username="south_nurse")

    _sign_in(page, base, "north_nurse", TEST_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Register a patient").click()
    # An invalid submission names the fields and loses nothing typed.
    page.get_by_label("Given name").fill("Rowan")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("alert").first).to_contain_text("Family name")
    expect(page.get_by_label("Given name")).to_have_value("Rowan")
    assert axe_violations(page) == []
    screenshot(page, "patient-form-errors")

    page.get_by_label("Family name").fill("Ashgrove")
    page.get_by_label("Date of birth").fill("1984-02-29")
    page.get_by_label("Administrative sex").select_option("female")
    page.get_by_label("Weight (kg)").fill("68.5")
    page.get_by_role("button", name="Register patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ashgrove, Rowan")
    expect(page.get_by_text("NO000001", exact=True)).to_be_visible()
    detail_url = page.url
    assert axe_violations(page) == []
    screenshot(page, "patient-detail")

    PatientFactory(clinic=clinic_x, given_name="Morgan", family_name="Birchfield")
    page.get_by_role("link", name="Patients").first.click()
    expect(page.get_by_test_id("patient-table")).to_contain_text("Birchfield, Morgan")
    page.get_by_label("Search patients by name or MRN").fill("Ashg")
    # The search is done when htmx has swapped the table and pushed the URL; signing out
    # while it is still in flight would race it.
    expect(page).to_have_url(re.compile(r"[?&]q=Ashg"))
    expect(page.get_by_test_id("patient-table")).to_contain_text("Ashgrove, Rowan")
    expect(page.get_by_test_id("patient-table")).not_to_contain_text("Birchfield")
    assert axe_violations(page) == []
    screenshot(page, "patient-list")

    sign_out(page)
    _sign_in(page, base, "south_nurse", TEST_PASSWORD)
    response = page.goto(detail_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")

    call_command("verify_audit_chain")


def test_clinic_admin_filters_the_audit_trail(page: Page, live_server: object) -> None:
    """Lee, the demo clinic admin, sees who opened a record and filters by user."""
    demo_load(histories=False)
    base = str(live_server)
    _sign_in(page, base, "dana", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Marlow, Alex").click()
    sign_out(page)

    _sign_in(page, base, "lee", demo.DEMO_PASSWORD)
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    page.get_by_role("link", name="Audit trail").first.click()
    page.get_by_label("User").fill("dana")
    page.get_by_label("Action").select_option("read")
    page.get_by_role("button", name="Show events").click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("dana")
    expect(table).not_to_contain_text("sam")
    assert axe_violations(page) == []
    screenshot(page, "audit-trail")


def test_psychiatrist_of_record_sees_only_their_patients(page: Page, live_server: object) -> None:
    """Dr Reyes sees her own patients, read-only, and no one else's."""
    demo_load(histories=False)
    base = str(live_server)
    _sign_in(page, base, "reyes", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    table = page.get_by_test_id("patient-table")
    expect(table).to_contain_text("Marlow, Alex")
    expect(table).not_to_contain_text("Quill, Harper")
    expect(page.get_by_role("link", name="Register a patient")).to_have_count(0)
    page.get_by_role("link", name="Marlow, Alex").click()
    expect(page.get_by_role("link", name="Edit details")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_violations(page) == []
    screenshot(page, "patient-detail-phone")
