"""The eligibility decision: the patient's open alerts on the page, and a caution that asks for
something "before eligibility is decided" needs a recorded note (issue 18 §3)."""

from __future__ import annotations

import json

import pytest

from conftest import World
from keel.alerts.tests.helpers import raise_alert
from keel.common.exceptions import ValidationFailed
from keel.intake.models import DecisionOutcome, EligibilityDecision
from keel.intake.services import baseline_rating_record, eligibility_decide
from keel.intake.tests.helpers import complete_evaluation

pytestmark = pytest.mark.django_db

PLAN = {
    "treatment_plan": "IV racemic ketamine, six induction sessions.",
    "mood_stabilizer_plan": "Continue lithium; level before session one.",
}
# C-SSRS screen with Q3 (thoughts of a method) yes: level moderate (REFERENCE §7).
CSSRS_MODERATE: list[int | None] = [1, 1, 1, 0, 0, 0, None]


def _moderate_risk(world: World) -> None:
    nurse = world.actor("nurse_x")
    complete_evaluation(actor=nurse, patient=world.patient_a)
    baseline_rating_record(
        actor=nurse, patient=world.patient_a, instrument_id="cssrs_screen", answers=CSSRS_MODERATE
    )


def test_moderate_cssrs_needs_a_note_to_decide_eligible(world: World) -> None:
    _moderate_risk(world)
    physician = world.actor("physician_x")
    with pytest.raises(ValidationFailed) as info:
        eligibility_decide(
            actor=physician, patient=world.patient_a, outcome=DecisionOutcome.ELIGIBLE, **PLAN
        )
    assert list(info.value.errors) == ["note"]
    assert "Moderate suicide risk on the C-SSRS" in info.value.errors["note"][0]
    decision = eligibility_decide(
        actor=physician,
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        note="Same-day assessment done; safety plan and lethal-means counselling recorded.",
        **PLAN,
    )
    assert "eligibility.suicide.cssrs_moderate" in decision.fired_rule_ids


def test_without_such_a_caution_eligible_needs_no_note(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    decision = eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        **PLAN,
    )
    assert decision.note == ""


def test_the_page_and_the_api_answer_422_naming_the_note(world: World) -> None:
    _moderate_risk(world)
    client = world.client("physician_x")
    url = f"/intake/patients/{world.patient_a.pk}/decision/"
    page = client.get(url).content.decode()
    assert "record what was done before deciding" in page
    response = client.post(url, {"outcome": "eligible", **PLAN})
    assert response.status_code == 422
    assert "Record what was done before deciding" in response.content.decode()
    response = client.post(
        f"/api/v1/intake/patients/{world.patient_a.pk}/decisions",
        json.dumps({"outcome": "eligible", **PLAN}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "note" in json.dumps(response.json())
    assert not EligibilityDecision.objects.filter(patient=world.patient_a).exists()


def test_the_decision_page_shows_the_patients_open_alerts(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    alert = raise_alert(world.patient_a)
    html = world.client("physician_x").get(f"/intake/patients/{world.patient_a.pk}/decision/")
    text = html.content.decode()
    assert 'data-testid="patient-alerts"' in text
    assert alert.title in text and f'href="/alerts/{alert.pk}/"' in text
