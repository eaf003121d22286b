"""An uncleared alert hold decides the go / no-go (no checklist tick), and lifts on the alert."""

from __future__ import annotations

import json

import pytest

from conftest import World
from keel.alerts.services import (
    alert_clear_hold,
    alert_record_contact,
    alert_record_psychiatric_review,
)
from keel.alerts.tests.helpers import amber, raise_alert, red
from keel.treatment.forms import ChecklistForm
from keel.treatment.models import PrecheckOutcomeChoice
from keel.treatment.services import precheck_record
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db


def test_amber_hold_needs_a_physician_until_cleared(world: World) -> None:
    session = _ready_for_checks(world)
    nurse = world.actor("nurse_x")
    alert = raise_alert(world.patient_a, amber())
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.NEEDS_PHYSICIAN
    assert "precheck.mood.open_amber_alert" in check.fired_rule_ids
    assert check.facts["open_mood_alert"] == "amber"
    page = world.client("nurse_x").get(f"/treatment/sessions/{session.pk}/")
    assert b'data-testid="session-holds"' in page.content
    assert f'href="/alerts/{alert.pk}/"'.encode() in page.content

    alert_clear_hold(actor=world.actor("physician_x"), alert=alert, note="Reviewed by phone.")
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.GO, check.fired_rule_ids
    assert check.facts["open_mood_alert"] == "none"
    page = world.client("nurse_x").get(f"/treatment/sessions/{session.pk}/")
    assert b'data-testid="session-holds"' not in page.content


def test_red_hold_is_a_no_go_until_contact_and_review(world: World) -> None:
    session = _ready_for_checks(world)
    nurse = world.actor("nurse_x")
    alert = raise_alert(world.patient_a, red())
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.NO_GO
    assert "precheck.mood.open_red_alert" in check.fired_rule_ids
    alert_record_contact(actor=nurse, alert=alert)
    assert (
        precheck_record(actor=nurse, session=session, answers=CHECKLIST).outcome
        == PrecheckOutcomeChoice.NO_GO
    )
    alert_record_psychiatric_review(
        actor=world.actor("psychiatrist_a"), alert=alert, note="Seen today; proceed."
    )
    assert (
        precheck_record(actor=nurse, session=session, answers=CHECKLIST).outcome
        == PrecheckOutcomeChoice.GO
    )


def test_the_checklist_no_longer_asks_and_the_api_ignores_the_old_answer(world: World) -> None:
    assert "open_mood_alert" not in ChecklistForm().fields
    session = _ready_for_checks(world)
    raise_alert(world.patient_a, red())
    body = {k: str(v) if k == "weight_kg" else v for k, v in CHECKLIST.items()}
    body["open_mood_alert"] = "none"  # an old client's answer cannot lift a hold
    response = world.client("nurse_x").post(
        f"/api/v1/treatment/sessions/{session.pk}/checklist",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "no_go"
    assert "precheck.mood.open_red_alert" in response.json()["fired_rule_ids"]
