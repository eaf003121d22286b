"""A withdrawal cancels the patient's booked sessions in the same transaction."""

from __future__ import annotations

import json

import pytest

from conftest import World
from keel.consent.selectors import consent_status
from keel.consent.services import consent_withdraw
from keel.consent.services import consents as consent_services
from keel.treatment.models import CancelCause, SessionState
from keel.treatment.tests.helpers import scheduled_session

pytestmark = pytest.mark.django_db


def test_withdrawal_cancels_the_booked_session(world: World) -> None:
    session = scheduled_session(world)
    consent_withdraw(
        actor=world.actor("physician_x"), patient=world.patient_a, reason="Changed my mind."
    )
    session.refresh_from_db()
    assert (session.state, session.cancel_cause, session.cancel_reason) == (
        SessionState.CANCELLED,
        CancelCause.CONSENT_WITHDRAWN,
        "Changed my mind.",
    )


def test_withdrawal_and_cancellation_commit_together(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the sessions cannot be cancelled, the withdrawal is not recorded either."""
    session = scheduled_session(world)

    def broken(**_: object) -> None:
        raise RuntimeError("cancellation failed")

    monkeypatch.setattr(consent_services, "sessions_cancel_for_consent_withdrawal", broken)
    with pytest.raises(RuntimeError):
        consent_withdraw(
            actor=world.actor("nurse_x"), patient=world.patient_a, reason="Changed my mind."
        )
    assert consent_status(patient=world.patient_a).state == "current"
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED


def test_withdrawal_through_the_api_cancels_the_booked_session(world: World) -> None:
    session = scheduled_session(world)
    response = world.client("nurse_x").post(
        f"/api/v1/consent/patients/{world.patient_a.pk}/withdraw",
        json.dumps({"reason": "Moving abroad."}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED
    assert session.cancel_reason == "Moving abroad."
