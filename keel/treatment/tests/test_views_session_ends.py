"""The session page: hand-off once dosed (physicians), cancel a booking, and why it was cancelled."""

from __future__ import annotations

import pytest

from conftest import World
from keel.consent.services import consent_withdraw
from keel.treatment.models import SessionState
from keel.treatment.tests.helpers import scheduled_session
from keel.treatment.tests.test_session_ends import EMERGENCY, dosed_session

pytestmark = pytest.mark.django_db


def test_the_page_says_a_session_was_cancelled_because_consent_was_withdrawn(
    world: World,
) -> None:
    session = scheduled_session(world)
    consent_withdraw(
        actor=world.actor("nurse_x"), patient=world.patient_a, reason="Moving abroad next month."
    )
    page = world.client("nurse_x").get(f"/treatment/sessions/{session.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cancelled: consent withdrawn." in html
    assert "Moving abroad next month." in html
    assert "Abort the session" not in html and "Check in" not in html
    course = world.client("nurse_x").get(f"/treatment/patients/{world.patient_a.pk}/")
    assert "Cancelled: consent withdrawn" in course.content.decode()


def test_staff_cancel_a_booking_from_the_page(world: World) -> None:
    session = scheduled_session(world)
    client = world.client("nurse_x")
    url = f"/treatment/sessions/{session.pk}/"
    assert "Cancel the booking" in client.get(url).content.decode()
    response = client.post(f"{url}cancel/", {"reason": "Patient asked to move it to Friday."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED
    html = client.get(url).content.decode()
    assert "Cancelled: booking cancelled." in html
    assert "Patient asked to move it to Friday." in html


def test_once_dosed_the_abort_form_gives_way_to_the_physicians_hand_off(world: World) -> None:
    session = dosed_session(world)
    url = f"/treatment/sessions/{session.pk}/"
    physician_page = world.client("physician_x").get(url).content.decode()
    assert "Abort the session" not in physician_page
    assert "Record the hand-off" in physician_page
    nurse_page = world.client("nurse_x").get(url).content.decode()
    assert "Abort the session" not in nurse_page
    assert "Record the hand-off" not in nurse_page
    assert "physician&#x27;s hand-off" in nurse_page or "physician's hand-off" in nurse_page


def test_hand_off_from_the_page_names_a_missing_destination_then_records_it(
    world: World,
) -> None:
    session = dosed_session(world)
    client = world.client("physician_x")
    url = f"/treatment/sessions/{session.pk}/hand-off/"
    response = client.post(url, {**EMERGENCY, "destination": ""})
    assert response.status_code == 422
    assert "destination" in response.context["hand_off_form"].errors
    response = client.post(url, EMERGENCY)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.HANDED_OFF
    html = client.get(f"/treatment/sessions/{session.pk}/").content.decode()
    assert "Handed off: transferred to emergency care" in html
    assert "St Mary" in html


def test_a_nurse_posting_a_hand_off_is_refused(world: World) -> None:
    session = dosed_session(world)
    response = world.client("nurse_x").post(
        f"/treatment/sessions/{session.pk}/hand-off/", EMERGENCY
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.MONITORING
