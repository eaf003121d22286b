"""A whole IV session: go / no-go, dose with a second check, a stop rule, discharge criteria."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from conftest import World
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.treatment.models import (
    PrecheckOutcomeChoice,
    SessionEvent,
    SessionEventKind,
    SessionState,
    VitalContext,
)
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    exit_check_record,
    precheck_physician_decide,
    precheck_record,
    session_check_in,
    session_discharge,
    session_rating_record,
    session_start_prechecks,
    vitals_record,
    vitals_record_checked,
)
from keel.treatment.tests.helpers import EARLY, scheduled_session

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "weight_kg": Decimal("72.4"),
    "escort_confirmed": True,
    "fasting_confirmed": True,
    "pregnancy_status": "negative",
    "med_change_benzodiazepine": False,
    "med_change_lamotrigine_dose": False,
    "med_change_stimulant": False,
    "med_change_maoi": False,
    "adverse_event_since_last": False,
    "acute_intoxication": False,
}
CALM = {
    "systolic_bp": 124,
    "diastolic_bp": 80,
    "heart_rate": 72,
    "spo2": 98,
    "respiratory_rate": 14,
}


def _ready_for_checks(world: World, **pre: int):  # type: ignore[no-untyped-def]
    nurse = world.actor("nurse_x")
    session = scheduled_session(world)
    session = session_check_in(
        actor=nurse, session=session, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    vitals_record(actor=nurse, session=session, context=VitalContext.PRE_DOSE, **{**CALM, **pre})
    session_rating_record(
        actor=nurse,
        session=session,
        instrument_id="ymrs",
        answers=[0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    )
    session_rating_record(
        actor=nurse,
        session=session,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
    )
    return session


def test_full_iv_session(world: World) -> None:
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    session = _ready_for_checks(world)
    check = precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.GO, check.fired_rule_ids
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    assert dose.dose_mg == Decimal("36.00") or dose.dose_mg == Decimal("36.0")
    assert any("0.5" in line and "72.4" in line for line in dose.calculation)
    with pytest.raises(Conflict, match="verify"):
        dose_start(actor=nurse, dose=dose)
    with pytest.raises(PermissionDenied):
        dose_verify(actor=nurse, dose=dose)
    dose_verify(actor=physician, dose=dose)
    start = timezone.now()
    session = dose_start(actor=nurse, dose=dose)
    assert session.state == SessionState.MONITORING
    _vitals, actions = vitals_record_checked(
        actor=nurse,
        session=session,
        context=VitalContext.DURING,
        systolic_bp=186,
        diastolic_bp=112,
        heart_rate=96,
        spo2=97,
    )
    assert actions and any("bp" in a.rule_id for a in actions)
    assert SessionEvent.objects.filter(session=session, kind=SessionEventKind.STOP_RULE).exists()
    session = dose_stop(actor=nurse, session=session, reason=EARLY)
    with pytest.raises(Conflict, match="Discharge refused"):
        session_discharge(
            actor=nurse,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Robin Ellery",
        )
    with time_machine.travel(start + dt.timedelta(minutes=130), tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[5])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
        with pytest.raises(Conflict, match="escort"):
            session_discharge(
                actor=nurse,
                session=session,
                escort_present=False,
                no_driving_acknowledged=True,
                escort_name="Robin Ellery",
            )
        exit_check_record(
            actor=nurse,
            session=session,
            new_suicidal_ideation=False,
            mood_elevation=False,
            perceptual_change=False,
            walks_steadily=True,
            nausea_or_dizziness=False,
        )
        session = session_discharge(
            actor=nurse,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Robin Ellery",
        )
    assert session.state == SessionState.DISCHARGED


def test_bp_hard_hold_is_no_go_and_cannot_be_overridden(world: World) -> None:
    session = _ready_for_checks(world, systolic_bp=186, diastolic_bp=104)
    check = precheck_record(actor=world.actor("nurse_x"), session=session, answers=CHECKLIST)
    assert check.outcome == PrecheckOutcomeChoice.NO_GO
    with pytest.raises(Conflict):
        precheck_physician_decide(
            actor=world.actor("physician_x"),
            check=check,
            rule_ids=["precheck.bp.hard_hold"],
            reason="Patient says it is white-coat hypertension.",
        )
    with pytest.raises(Conflict, match="go"):
        dose_prepare(
            actor=world.actor("nurse_x"),
            session=session,
            weight_kg=Decimal("72.4"),
            concentration_mg_per_ml=Decimal("10"),
            lot="L1",
        )


def test_soft_bp_prompt_needs_physician(world: World) -> None:
    session = _ready_for_checks(world, systolic_bp=146, diastolic_bp=88)
    check = precheck_record(actor=world.actor("nurse_x"), session=session, answers=CHECKLIST)
    assert check.outcome in {PrecheckOutcomeChoice.NEEDS_PHYSICIAN, PrecheckOutcomeChoice.NO_GO}


def test_incomplete_checklist_is_refused_naming_what_is_missing(world: World) -> None:
    session = _ready_for_checks(world)
    answers = {k: v for k, v in CHECKLIST.items() if k != "escort_confirmed"}
    with pytest.raises(ValidationFailed) as info:
        precheck_record(actor=world.actor("nurse_x"), session=session, answers=answers)
    assert "escort_confirmed" in info.value.errors


def test_ratings_after_the_dose_are_tagged_acute_post_dose(world: World) -> None:
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    session = dose_start(actor=nurse, dose=dose)
    rating = session_rating_record(
        actor=nurse, session=session, instrument_id="ymrs", answers=[0] * 11
    )
    assert rating.acute_post_dose is True


def test_a_dose_from_a_lot_not_in_the_ledger_is_refused_when_calculated(world: World) -> None:
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    with pytest.raises(ValidationFailed) as info:
        dose_prepare(
            actor=nurse,
            session=session,
            weight_kg=Decimal("72.4"),
            concentration_mg_per_ml=Decimal("10"),
            lot="NOT-RECEIVED",
        )
    assert "lot" in info.value.errors
    session.refresh_from_db()
    assert session.state == SessionState.PRE_CHECKS
