"""In Chromium on a phone: the diary, then a PHQ-9 with item 9 = 2 shows crisis resources at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from keel.accounts.roles import AccountType, Role
from keel.accounts.tests.factories import TEST_PASSWORD, ClinicFactory, UserFactory, staff_member
from keel.monitoring.models import Assessment, DiaryEntry
from keel.monitoring.services import assignment_create
from keel.patients.tests.factories import PatientFactory
from tests.browser.fixtures import answer_scale, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _choose(page: Page, question: str, answer: str) -> None:
    """Tap an answer tile (its label), as a person does; the radio itself is visually hidden."""
    group = page.get_by_role("group", name=question)
    group.locator("label", has_text=answer).first.click()
    expect(group.get_by_label(answer).first).to_be_checked()


def test_patient_fills_in_the_diary_and_a_phq9_on_a_phone(page: Page, live_server: object) -> None:
    base = str(live_server)
    clinic = ClinicFactory(
        name="Harbour Clinic",
        mrn_prefix="HB",
        phone="+1 555 0100 321",
        check_in_review_note="on weekdays between 9 am and 5 pm",
    )
    nurse = staff_member(clinic=clinic, role=Role.NURSE, username="harbour_nurse")
    user = UserFactory(username="casey", account_type=AccountType.PATIENT)
    patient = PatientFactory(clinic=clinic, user=user, given_name="Casey", family_name="Lumen")
    from keel.accounts.selectors import actor_build

    actor = actor_build(user=nurse, clinic_id=clinic.pk)
    assert actor is not None
    for instrument_id, frequency in (("diary", "daily"), ("phq9", "weekly")):
        assignment_create(
            actor=actor, patient=patient, instrument_id=instrument_id, frequency=frequency
        )

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/accounts/login/?next=/portal/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.locator("header").get_by_role("link", name="Get help now")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "portal-today-phone")

    page.get_by_role("link", name="Daily mood and sleep diary").click()
    _choose(page, "Mood compared with your usual self", "A little lower than your usual")
    page.get_by_label("Hours slept last night").fill("6.5")
    _choose(page, "Needed less sleep than usual", "No")
    _choose(page, "Irritability", "A little irritable")
    _choose(page, "Energy and activity", "Same as your usual self")
    _choose(page, "Medicines taken as prescribed", "Yes")
    assert axe_violations(page) == []
    screenshot(page, "portal-diary-phone")
    page.get_by_role("button", name="Save today's diary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert DiaryEntry.objects.get(patient=patient).mood == -1

    page.get_by_role("link", name="Back to today").click()
    page.get_by_role("link", name="PHQ-9").click()
    expect(page.get_by_text("Demo wording - not the validated questionnaire")).to_be_visible()
    answer_scale(page, [1, 1, 1, 1, 1, 1, 1, 1, 2])  # one question per screen; item 9 scored 2
    screenshot(page, "portal-phq9-phone")
    page.get_by_role("button", name="Send my answers").click()

    crisis = page.locator(".keel-crisis")
    expect(crisis).to_be_visible()
    expect(crisis).to_be_in_viewport()  # at once, without scrolling
    expect(page.get_by_role("link", name="Call 988")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Call 911")).to_be_visible()
    expect(page.get_by_role("link", name="Call your clinic: +1 555 0100 321")).to_be_visible()
    first_in_main = page.locator("main > *").first
    expect(first_in_main).to_have_class("keel-crisis")
    assert axe_violations(page) == []
    screenshot(page, "portal-crisis-phone")
    assert "suicidal_ideation_tier2" in Assessment.objects.get(patient=patient).flags

    page.get_by_role("link", name="Get help now").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    assert axe_violations(page) == []
