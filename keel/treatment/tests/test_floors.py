"""Safety floors at the bedside: no physician override passes them, and each try is audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from conftest import World
from keel.alerts.same_day import suicide_dosing_assessment_record
from keel.alerts.services import alert_acknowledge
from keel.alerts.tests.helpers import finding, raise_alert
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict
from keel.treatment.models import PrecheckOutcomeChoice, SessionState, VitalContext
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_physician_decide,
    precheck_record,
    session_discharge,
    session_rating_record,
    vitals_record,
)
from keel.treatment.tests.helpers import EARLY
from keel.treatment.tests.test_chairside import CALM, CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db

CADSS_46 = [2] * 23  # total 46


def _denied(rule_id: str) -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(outcome="denied")
        if event.detail.get("override_refused") == rule_id
    ]


def _in_recovery(world: World):  # type: ignore[no-untyped-def]
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    session = _ready_for_checks(world)
    session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.GO, check.fired_rule_ids
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=physician, dose=dose)
    session = dose_start(actor=nurse, dose=dose)
    return dose_stop(actor=nurse, session=session, reason=EARLY)


def test_moaas_3_cadss_46_and_no_no_driving_acknowledgement_cannot_be_overridden(
    world: World,
) -> None:
    """The issue's reproduction: a physician override of these criteria is a 409 naming the floor."""
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    session = _in_recovery(world)
    later = (session.dose_started_at or timezone.now()) + dt.timedelta(minutes=130)
    with time_machine.travel(later, tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[3])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=CADSS_46)
        for rule_id, floor in (
            ("discharge.sedation.moaas", "Sedation resolved at discharge"),
            ("discharge.dissociation.cadss", "Dissociation resolved at discharge"),
            ("discharge.instructions.no_driving", "The no-driving instruction"),
        ):
            with pytest.raises(Conflict, match=floor) as caught:
                session_discharge(
                    actor=physician,
                    session=session,
                    escort_present=True,
                    no_driving_acknowledged=False,
                    escort_name="Robin Ellery",
                    overridden=[rule_id],
                    reason="Patient insists on leaving now.",
                )
            assert rule_id in str(caught.value)
            assert len(_denied(rule_id)) == 1, rule_id
    session.refresh_from_db()
    assert session.state == SessionState.RECOVERY


def test_pre_dose_spo2_below_90_cannot_be_overridden(world: World) -> None:
    """SpO2 89 % before the dose: no-go, and the override is refused and audited."""
    session = _ready_for_checks(world, spo2=89)
    check = precheck_record(actor=world.actor("nurse_x"), session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.NO_GO
    assert "precheck.spo2.below_emergency_level" in check.fired_rule_ids
    with pytest.raises(Conflict, match="Pre-dose SpO2 below the emergency level"):
        precheck_physician_decide(
            actor=world.actor("physician_x"),
            check=check,
            rule_ids=["precheck.spo2.below_emergency_level"],
            reason="Chronic lung disease; this is her usual value.",
        )
    assert len(_denied("precheck.spo2.below_emergency_level")) == 1
    check.refresh_from_db()
    assert check.outcome == PrecheckOutcomeChoice.NO_GO
    assert check.physician_override_reason == ""


def test_an_open_cssrs_high_alert_is_no_go_despite_a_negative_screen_today(world: World) -> None:
    """The issue's reproduction: today's negative C-SSRS does not give "Go" past an urgent alert.

    The session becomes go only after a physician records today's assessment with
    the decision to dose; a "do not dose" decision keeps it no-go.
    """
    alert = raise_alert(world.patient_a, finding(rule_id="suicide.cssrs_screen.high"))
    alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    session = _ready_for_checks(world)  # today's C-SSRS since last visit: all "no"
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.NO_GO
    assert "precheck.suicide.open_urgent_alert" in check.fired_rule_ids
    with pytest.raises(Conflict, match="not overridable"):
        precheck_physician_decide(
            actor=physician,
            check=check,
            rule_ids=["precheck.suicide.open_urgent_alert"],
            reason="Screen negative today, proceed.",
        )
    suicide_dosing_assessment_record(
        actor=physician,
        patient=world.patient_a,
        decision="do_not_dose",
        reason="Still distressed; safety plan updated; reschedule next week.",
        cssrs_level="none",
    )
    again = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert again.outcome == PrecheckOutcomeChoice.NO_GO
    suicide_dosing_assessment_record(
        actor=physician,
        patient=world.patient_a,
        decision="dose",
        reason="Seen in person; C-SSRS since last visit negative; safety plan reviewed.",
        cssrs_level="none",
    )
    go = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert go.outcome == PrecheckOutcomeChoice.GO, go.fired_rule_ids
    assert go.facts["suicide_alert_urgent_open"] is True
    assert go.facts["suicide_same_day_assessment"] is True


def test_the_session_page_names_the_floor_and_offers_no_override_for_it(world: World) -> None:
    """A refused discharge lists what is not met; floors say so, others offer an override."""
    nurse = world.actor("nurse_x")
    session = _in_recovery(world)
    later = (session.dose_started_at or timezone.now()) + dt.timedelta(minutes=130)
    url = f"/treatment/sessions/{session.pk}/discharge/"
    with time_machine.travel(later, tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[3])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
        physician = world.client("physician_x")
        body = {
            "escort_present": "on",
            "no_driving_acknowledged": "on",
            "escort_name": "Robin Ellery",
        }
        response = physician.post(url, body)
        assert response.status_code == 409
        html = response.content.decode()
        assert "Sedation not fully resolved" in html
        assert "A safety floor: no one can override it." in html
        assert "Reason for an override" not in html  # nothing left that may be overridden
        assert 'value="discharge.sedation.moaas"' not in html  # no checkbox for a floor
        forced = physician.post(
            url,
            {
                **body,
                "overridden": "discharge.sedation.moaas",
                "override_reason": "Patient insists on leaving now.",
            },
        )
        assert forced.status_code == 409
        assert "Sedation resolved at discharge is a safety floor" in forced.content.decode()
    assert len(_denied("discharge.sedation.moaas")) == 1
    session.refresh_from_db()
    assert session.state == SessionState.RECOVERY


def test_the_api_refuses_a_floor_override_with_409_naming_the_rule(world: World) -> None:
    """POST /api/v1/treatment/sessions/{id}/discharge with a floor in ``overridden``: 409, audited."""
    nurse = world.actor("nurse_x")
    session = _in_recovery(world)
    later = (session.dose_started_at or timezone.now()) + dt.timedelta(minutes=130)
    with time_machine.travel(later, tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[5])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=CADSS_46)
        response = world.client("physician_x").post(
            f"/api/v1/treatment/sessions/{session.pk}/discharge",
            json.dumps(
                {
                    "escort_present": True,
                    "no_driving_acknowledged": True,
                    "escort_name": "Robin Ellery",
                    "overridden": ["discharge.dissociation.cadss"],
                    "reason": "Patient feels fine and wants to go home.",
                }
            ),
            content_type="application/json",
        )
    assert response.status_code == 409
    assert "discharge.dissociation.cadss" in response.json()["detail"]
    assert "safety floor" in response.json()["detail"]
    assert len(_denied("discharge.dissociation.cadss")) == 1
    session.refresh_from_db()
    assert session.state == SessionState.RECOVERY
