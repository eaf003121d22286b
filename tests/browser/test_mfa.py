"""End to end in Chromium: two-step sign-in for the demo physician, and first-time setup."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from keel.accounts.roles import Role
from keel.accounts.tests.factories import TEST_PASSWORD, ClinicFactory, staff_member
from keel.demo import data as demo
from keel.demo.services import demo_load
from tests.browser.fixtures import axe_violations, screenshot
from tests.browser.mfa_helpers import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _password(page: Page, base: str, username: str, password: str, start: str) -> None:
    page.goto(f"{base}{start}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _both_sizes(page: Page, name: str) -> None:
    """axe at desktop and phone width; a screenshot of each."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], label
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(DESKTOP)


def test_demo_physician_enters_the_totp_code_and_reaches_patients(
    page: Page, live_server: object
) -> None:
    demo_load(histories=False)
    base = str(live_server)
    _password(page, base, "okafor", demo.DEMO_PASSWORD, "/patients/")

    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/\?next=%2Fpatients%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)  # nothing before the code
    _both_sizes(page, "mfa-verify")

    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code-error")).to_contain_text("not accepted")
    assert axe_violations(page) == []
    screenshot(page, "mfa-verify-error")

    page.wait_for_timeout(1200)  # the throttle's first wait after a wrong code
    page.get_by_label("Authentication code").fill(fresh_code(demo.DEMO_TOTP_SECRET, "okafor"))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(r"/patients/$"))
    expect(page.get_by_test_id("patient-table")).to_contain_text("Marlow, Alex")
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def test_a_new_clinic_admin_sets_up_an_authenticator_at_first_sign_in(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    clinic = ClinicFactory(name="Harbor Clinic", mrn_prefix="HB")
    staff_member(clinic=clinic, role=Role.CLINIC_ADMIN, username="new_admin")
    _password(page, base, "new_admin", TEST_PASSWORD, "/audit/")

    expect(page).to_have_url(re.compile(r"/accounts/mfa/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", secret)
    _both_sizes(page, "mfa-setup")

    page.get_by_label("Authentication code").fill(fresh_code(secret, "new_admin"))
    page.get_by_role("button", name="Confirm and continue").click()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    _both_sizes(page, "mfa-recovery-codes")

    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page).to_have_url(re.compile(r"/audit/$"))  # where the admin was going
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit")
    page.goto(f"{base}/accounts/security/")
    expect(page.get_by_test_id("mfa-status")).to_contain_text("On")
    expect(page.get_by_role("button", name="Turn off")).to_have_count(0)  # required for admins
    _both_sizes(page, "mfa-account-security")
