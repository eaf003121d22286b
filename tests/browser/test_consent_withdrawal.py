"""End to end in Chromium: a withdrawn consent turns a booked session into "cancelled".

Dr Okafor has planned Kai's IV course and booked session 1. Kai tells Dana he
withdraws his consent; she records it on the consent page. The course page
then lists session 1 as "Cancelled: consent withdrawn", and the session page
says why, with nothing left to check in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from keel.accounts.models import User
from keel.accounts.selectors import actor_build
from keel.demo import data as demo
from keel.demo.services import demo_load
from keel.patients.models import Patient
from keel.treatment.models import Route, SessionState, TreatmentSession
from keel.treatment.services import course_activate, course_create, session_schedule
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


def _booked_session(patient: Patient) -> TreatmentSession:
    """Dr Okafor plans and activates Kai's IV course and books session 1 for tomorrow."""
    user = User.objects.get(username="okafor")
    physician = actor_build(user=user, clinic_id=patient.clinic_id)
    assert physician is not None
    course = course_create(
        actor=physician,
        patient=patient,
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg_per_kg=Decimal("0.50"),
        induction_sessions=6,
    )
    course = course_activate(actor=physician, course=course)
    return session_schedule(
        actor=physician, course=course, scheduled_for=timezone.now() + dt.timedelta(days=1)
    )


def test_withdrawing_consent_cancels_the_booked_session(page: Page, live_server: object) -> None:
    demo_load(histories=False)
    base = str(live_server)
    kai = Patient.objects.get(given_name="Kai", family_name="Sorensen")
    session = _booked_session(kai)

    _sign_in(page, base, "dana")
    page.goto(f"{base}/consent/patients/{kai.pk}/")
    page.get_by_label("Reason for withdrawal").fill("Wants to stop and talk it over at home.")
    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.get_by_text("Booked sessions not yet dosed are cancelled")).to_be_visible()

    page.goto(f"{base}/treatment/patients/{kai.pk}/")
    expect(page.get_by_test_id("sessions")).to_contain_text("Cancelled: consent withdrawn")
    page.get_by_role("link", name="Session 1").click()
    expect(page.get_by_test_id("session-state")).to_have_text("Cancelled")
    ending = page.get_by_test_id("session-end")
    expect(ending).to_contain_text("Cancelled: consent withdrawn.")
    expect(ending).to_contain_text("Wants to stop and talk it over at home.")
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    expect(page.get_by_role("button", name="Abort the session")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "session-cancelled-consent-withdrawn")

    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED
