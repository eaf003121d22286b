"""End to end in Chromium: a nurse takes a patient's signature and downloads the PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from keel.accounts.roles import Role
from keel.accounts.selectors import actor_build
from keel.accounts.tests.factories import TEST_PASSWORD, ClinicFactory, staff_member
from keel.consent.models import Consent
from keel.consent.services import (
    consent_template_approve,
    consent_template_install_sample,
    education_page_approve,
    education_page_install_sample,
)
from keel.consent.tests.factories import ALL_CONSENT_TOPICS, ALL_EDUCATION_TOPICS
from keel.patients.tests.factories import PatientFactory
from tests.browser.fixtures import axe_violations, screenshot
from tests.browser.mfa_helpers import complete_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)


def test_nurse_takes_a_signature_and_downloads_the_pdf(page: Page, live_server: object) -> None:
    """The consent page reads well at desktop and phone width and the PDF downloads intact."""
    base = str(live_server)
    clinic = ClinicFactory(name="Harbor Clinic", mrn_prefix="HB", phone="+1 555 0100 222")
    staff_member(clinic=clinic, role=Role.NURSE, username="harbor_nurse")
    admin_user = staff_member(clinic=clinic, role=Role.CLINIC_ADMIN, username="harbor_admin")
    admin = actor_build(user=admin_user, clinic_id=clinic.pk)
    assert admin is not None
    consent_template_approve(
        actor=admin,
        template=consent_template_install_sample(clinic=clinic),
        topics=ALL_CONSENT_TOPICS,
    )
    patient = PatientFactory(clinic=clinic, given_name="Rowan", family_name="Ashgrove")

    _sign_in(page, base, "harbor_nurse")
    page.goto(f"{base}/consent/patients/{patient.pk}/")
    expect(page.get_by_test_id("consent-status")).to_have_attribute("data-state", "none")
    expect(page.get_by_test_id("consent-text")).to_contain_text(
        "Ketamine is not approved by the U.S. Food and Drug Administration"
    )
    assert axe_violations(page) == []
    screenshot(page, "consent-patient-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "consent-patient-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A wrong name is refused, naming the field, and keeps what was typed.
    page.get_by_label("Patient's full name").fill("Rowan Ash")
    page.get_by_text("I have read this and agree").click()
    page.get_by_text("I was with the patient and saw them sign in person").click()
    page.get_by_role("button", name="Sign consent").click()
    expect(page.locator("#id_signed_name-error")).to_contain_text("must match")
    expect(page.get_by_label("Patient's full name")).to_have_value("Rowan Ash")
    assert axe_violations(page) == []
    screenshot(page, "consent-sign-error")

    page.get_by_label("Patient's full name").fill("rowan ashgrove")
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_test_id("consent-status")).to_have_attribute("data-state", "current")
    expect(page.get_by_text("Consent is current")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "consent-patient-signed")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed PDF (version 1)").click()
    download = download_info.value
    path = download.path()
    assert path is not None
    stored = Consent.objects.get(patient=patient)
    with open(path, "rb") as handle:
        assert handle.read() == bytes(stored.pdf)
    assert download.suggested_filename == f"consent-{stored.pk}-version-1.pdf"


def test_patient_reads_the_education_page_on_a_phone(page: Page, live_server: object) -> None:
    """A patient sees the approved page, the general-information notice and the crisis numbers."""
    base = str(live_server)
    clinic = ClinicFactory(name="Harbor Clinic", mrn_prefix="HB", phone="+1 555 0100 222")
    admin_user = staff_member(clinic=clinic, role=Role.CLINIC_ADMIN, username="harbor_admin")
    admin = actor_build(user=admin_user, clinic_id=clinic.pk)
    assert admin is not None
    education_page_approve(
        actor=admin,
        page=education_page_install_sample(clinic=clinic),
        topics=ALL_EDUCATION_TOPICS,
    )
    from keel.accounts.roles import AccountType
    from keel.accounts.tests.factories import UserFactory

    user = UserFactory(username="harbor_patient", account_type=AccountType.PATIENT)
    PatientFactory(clinic=clinic, user=user)

    page.set_viewport_size(PHONE)
    _sign_in(page, base, "harbor_patient")
    page.goto(f"{base}/consent/education/")
    expect(page.get_by_test_id("general-information")).to_contain_text(
        "not personal medical advice"
    )
    crisis = page.get_by_test_id("crisis-resources")
    expect(crisis.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="+1 555 0100 222")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "education-phone")


def test_clinic_admin_approves_the_sample_after_ticking_every_topic(
    page: Page, live_server: object
) -> None:
    """The sample is marked until approved; approval needs every topic ticked."""
    base = str(live_server)
    clinic = ClinicFactory(name="Harbor Clinic", mrn_prefix="HB")
    staff_member(clinic=clinic, role=Role.CLINIC_ADMIN, username="harbor_admin")
    sample = consent_template_install_sample(clinic=clinic)

    _sign_in(page, base, "harbor_admin")
    page.goto(f"{base}/consent/templates/")
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_test_id("approval-marker")).to_contain_text(
        "Sample text — awaiting medical director approval"
    )
    page.get_by_text("The known risks").click()
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#id_topics-error")).to_contain_text("Not confirmed")
    assert axe_violations(page) == []
    screenshot(page, "consent-template-approve-errors")

    for label in ("not FDA-approved", "The known risks", "An adult takes", "continues alongside"):
        box = page.get_by_role("checkbox", name=label)
        if not box.is_checked():
            page.locator("label.usa-checkbox__label", has_text=label).click()
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_test_id("approval-marker")).to_have_count(0)
    expect(page.get_by_text("Version 1 approved.")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "consent-template-approved")
    sample.refresh_from_db()
    assert sample.status == "approved"

    # A change to an approved version is a new version; the preview follows the typing.
    page.get_by_role("link", name="Write a new version").click()
    expect(page.get_by_label("Title")).to_have_value(sample.title)
    page.get_by_label("Text").fill("## Fresh heading\n\n- first point")
    expect(page.locator("#text-preview h3")).to_have_count(1)
    expect(page.locator("#text-preview h3")).to_have_text("Fresh heading")
    expect(page.locator("#text-preview li")).to_have_text("first point")
    assert axe_violations(page) == []
    screenshot(page, "consent-template-new-version")
