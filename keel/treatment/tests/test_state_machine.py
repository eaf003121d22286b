"""Courses need a cleared patient; sessions move only along the state machine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import World
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.services import consent_withdraw
from keel.intake.models import DecisionOutcome
from keel.intake.services import eligibility_decide
from keel.intake.tests.helpers import complete_evaluation
from keel.treatment.models import Route, SessionEvent, SessionState, VitalContext
from keel.treatment.services import (
    TRANSITIONS,
    course_activate,
    course_create,
    session_abort,
    session_check_in,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)
from keel.treatment.tests.helpers import active_course, scheduled_session

pytestmark = pytest.mark.django_db


def test_course_cannot_be_activated_until_the_patient_is_cleared(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        treatment_plan="IV ketamine, six sessions.",
        mood_stabilizer_plan="Continue lithium as now.",
    )
    physician = world.actor("physician_x")
    course = course_create(
        actor=physician,
        patient=world.patient_a,
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg_per_kg=Decimal("0.5"),
        induction_sessions=6,
    )
    with pytest.raises(Conflict, match="consent"):
        course_activate(actor=physician, course=course)


def test_course_needs_an_eligible_decision(world: World) -> None:
    with pytest.raises(Conflict, match="eligible"):
        course_create(
            actor=world.actor("physician_x"),
            patient=world.patient_a,
            route=Route.IV_RACEMIC_KETAMINE,
            dose_mg_per_kg=Decimal("0.5"),
            induction_sessions=6,
        )


@pytest.mark.parametrize(
    ("route", "dose", "field"),
    [
        (Route.INTRANASAL_ESKETAMINE, {"esketamine_dose_mg": 70}, "esketamine_dose_mg"),
        (Route.IV_RACEMIC_KETAMINE, {}, "dose_mg_per_kg"),
        (Route.IV_RACEMIC_KETAMINE, {"dose_mg_per_kg": Decimal("5")}, "dose_mg_per_kg"),
    ],
)
def test_course_dose_must_fit_the_route(
    world: World, route: Route, dose: dict[str, object], field: str
) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        treatment_plan="IV ketamine, six sessions.",
        mood_stabilizer_plan="Continue lithium as now.",
    )
    with pytest.raises(ValidationFailed) as info:
        course_create(
            actor=world.actor("physician_x"),
            patient=world.patient_a,
            route=route,
            induction_sessions=6,
            **dose,
        )  # type: ignore[arg-type]
    assert field in info.value.errors


def test_only_physicians_plan_courses(world: World) -> None:
    with pytest.raises(PermissionDenied):
        course_create(
            actor=world.actor("nurse_x"),
            patient=world.patient_a,
            route=Route.IV_RACEMIC_KETAMINE,
            dose_mg_per_kg=Decimal("0.5"),
            induction_sessions=6,
        )


def test_withdrawn_consent_blocks_scheduling(world: World) -> None:
    course = active_course(world)
    consent_withdraw(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        reason="Patient wants to stop and think it over.",
    )
    with pytest.raises(Conflict, match="consent"):
        session_schedule(
            actor=world.actor("nurse_x"),
            course=course,
            scheduled_for=timezone.now() + dt.timedelta(days=1),
        )


def test_session_moves_along_the_machine_and_records_each_step(world: World) -> None:
    session = scheduled_session(world)
    nurse = world.actor("nurse_x")
    with pytest.raises(ValidationFailed) as info:
        session_check_in(actor=nurse, session=session, escort_name="", escort_phone="")
    assert set(info.value.errors) == {"escort_name", "escort_phone"}
    session = session_check_in(
        actor=nurse, session=session, escort_name="Sam Ellery", escort_phone="+1 555 0100 111"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    assert session.state == SessionState.PRE_CHECKS
    assert list(
        SessionEvent.objects.filter(session=session).values_list("data__to", flat=True)
    ) == ["checked_in", "pre_checks"]


def test_illegal_transition_is_a_conflict_and_changes_nothing(world: World) -> None:
    session = scheduled_session(world)
    with pytest.raises(Conflict, match="cannot move"):
        session_start_prechecks(actor=world.actor("nurse_x"), session=session)
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED


BEFORE_DOSE = [
    SessionState.SCHEDULED,
    SessionState.CHECKED_IN,
    SessionState.PRE_CHECKS,
    SessionState.DOSING,
]
DOSED = [SessionState.MONITORING, SessionState.RECOVERY]


@pytest.mark.parametrize("state", BEFORE_DOSE)
def test_every_state_before_the_dose_may_abort_or_be_cancelled(state: SessionState) -> None:
    assert {SessionState.ABORTED, SessionState.CANCELLED} <= TRANSITIONS[state]
    assert SessionState.HANDED_OFF not in TRANSITIONS[state]


@pytest.mark.parametrize("state", DOSED)
def test_a_dosed_session_ends_only_by_discharge_or_hand_off(state: SessionState) -> None:
    ends = TRANSITIONS[state] & {
        SessionState.DISCHARGED,
        SessionState.ABORTED,
        SessionState.CANCELLED,
        SessionState.HANDED_OFF,
    }
    assert SessionState.HANDED_OFF in ends
    assert not ends & {SessionState.ABORTED, SessionState.CANCELLED}


@pytest.mark.parametrize(
    "state",
    [
        SessionState.DISCHARGED,
        SessionState.ABORTED,
        SessionState.HANDED_OFF,
        SessionState.CANCELLED,
    ],
)
def test_terminal_states_are_never_left(state: SessionState) -> None:
    assert TRANSITIONS[state] == frozenset()


def test_abort_needs_a_reason_and_is_final(world: World) -> None:
    session = scheduled_session(world)
    with pytest.raises(ValidationFailed):
        session_abort(actor=world.actor("nurse_x"), session=session, reason="")
    session = session_abort(
        actor=world.actor("nurse_x"), session=session, reason="Patient unwell with a fever today."
    )
    with pytest.raises(Conflict):
        session_check_in(
            actor=world.actor("nurse_x"),
            session=session,
            escort_name="Sam",
            escort_phone="+1 555 0100 111",
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"systolic_bp": 20}, "systolic_bp"),
        ({"systolic_bp": 400}, "systolic_bp"),
        ({"spo2": 120}, "spo2"),
        ({"heart_rate": 5}, "heart_rate"),
        ({"respiratory_rate": 90}, "respiratory_rate"),
    ],
)
def test_vitals_out_of_physiological_range_are_refused(
    world: World, values: dict[str, int], field: str
) -> None:
    session = scheduled_session(world)
    session = session_check_in(
        actor=world.actor("nurse_x"),
        session=session,
        escort_name="Sam",
        escort_phone="+1 555 0100 111",
    )
    base = {
        "systolic_bp": 128,
        "diastolic_bp": 80,
        "heart_rate": 72,
        "spo2": 98,
        "respiratory_rate": 14,
    }
    with pytest.raises(ValidationFailed) as info:
        vitals_record(
            actor=world.actor("nurse_x"),
            session=session,
            context=VitalContext.PRE_DOSE,
            **{**base, **values},
        )
    assert field in info.value.errors


def test_the_same_vitals_key_records_once(world: World) -> None:
    session = scheduled_session(world)
    session = session_check_in(
        actor=world.actor("nurse_x"),
        session=session,
        escort_name="Sam",
        escort_phone="+1 555 0100 111",
    )
    values = {"systolic_bp": 128, "diastolic_bp": 80, "heart_rate": 72, "spo2": 98}
    first = vitals_record(
        actor=world.actor("nurse_x"),
        session=session,
        context=VitalContext.PRE_DOSE,
        idempotency_key="k-1",
        **values,
    )
    again = vitals_record(
        actor=world.actor("nurse_x"),
        session=session,
        context=VitalContext.PRE_DOSE,
        idempotency_key="k-1",
        **values,
    )
    assert first.pk == again.pk
    assert session.vitals.count() == 1
