"""The exit check (REFERENCE.md section 6 Safety and Mobility): it holds discharge, raises alerts."""

from __future__ import annotations

import json

import pytest
import time_machine

from conftest import World
from keel.alerts.models import (
    Alert,
    AlertCategory,
    AlertEvent,
    AlertEventKind,
    AlertLevel,
    AlertPriority,
    SessionHold,
)
from keel.alerts.selectors import session_hold_level
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.treatment.models import ExitCheck, ExitDecision, SessionState, TreatmentSession
from keel.treatment.services import (
    exit_check_physician_decide,
    exit_check_record,
    session_discharge,
)
from keel.treatment.tests.safety_helpers import monitoring_session, recovered_session

pytestmark = pytest.mark.django_db

CLEAR = {
    "new_suicidal_ideation": False,
    "mood_elevation": False,
    "perceptual_change": False,
    "walks_steadily": True,
    "nausea_or_dizziness": False,
}


def _discharge(world: World, session: TreatmentSession) -> TreatmentSession:
    return session_discharge(
        actor=world.actor("nurse_x"),
        session=session,
        escort_present=True,
        no_driving_acknowledged=True,
        escort_name="Robin Ellery",
    )


def _check(world: World, session: TreatmentSession, **answers: bool) -> ExitCheck:
    return exit_check_record(actor=world.actor("nurse_x"), session=session, **{**CLEAR, **answers})


def test_discharge_needs_the_exit_check(world: World) -> None:
    session, ready = recovered_session(world)
    with time_machine.travel(ready, tick=False):
        with pytest.raises(Conflict, match="exit check"):
            _discharge(world, session)
        _check(world, session)
        session = _discharge(world, session)
    assert session.state == SessionState.DISCHARGED
    assert AuditEvent.objects.filter(object_type="exit_check").exists()


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"walks_steadily": False}, "does not walk steadily"),
        ({"nausea_or_dizziness": True}, "nausea or dizziness"),
        ({"perceptual_change": True}, "perceptual change"),
        ({"mood_elevation": True}, "mood elevation"),
        ({"new_suicidal_ideation": True}, "suicidal ideation"),
    ],
)
def test_a_positive_finding_holds_discharge_until_a_physician_decides(
    world: World, answers: dict[str, bool], named: str
) -> None:
    session, ready = recovered_session(world)
    with time_machine.travel(ready, tick=False):
        check = _check(world, session, **answers)
        with pytest.raises(Conflict, match=named):
            _discharge(world, session)
        decided = exit_check_physician_decide(
            actor=world.actor("physician_x"),
            check=check,
            decision=ExitDecision.MAY_LEAVE,
            reason="Seen at the chair; settled, safety plan reviewed with the escort.",
        )
        session = _discharge(world, session)
    assert session.state == SessionState.DISCHARGED
    decided.refresh_from_db()
    assert decided.physician == world.users["physician_x"]
    assert decided.physician_decision == ExitDecision.MAY_LEAVE
    assert "safety plan" in decided.physician_reason


def test_a_physician_who_keeps_the_patient_holds_discharge_until_a_new_check(
    world: World,
) -> None:
    session, ready = recovered_session(world)
    with time_machine.travel(ready, tick=False):
        check = _check(world, session, walks_steadily=False)
        exit_check_physician_decide(
            actor=world.actor("physician_x"),
            check=check,
            decision=ExitDecision.STAYS,
            reason="Unsteady on standing; observe another 30 minutes.",
        )
        with pytest.raises(Conflict, match="stays"):
            _discharge(world, session)
        with pytest.raises(Conflict, match="already decided"):
            exit_check_physician_decide(
                actor=world.actor("physician_x"),
                check=check,
                decision=ExitDecision.MAY_LEAVE,
                reason="Changed my mind without a new check.",
            )
        _check(world, session)
        with pytest.raises(Conflict, match="newer exit check"):
            exit_check_physician_decide(
                actor=world.actor("physician_x"),
                check=check,
                decision=ExitDecision.MAY_LEAVE,
                reason="Deciding on the old check.",
            )
        assert _discharge(world, session).state == SessionState.DISCHARGED


def test_only_a_physician_decides_with_a_written_reason(world: World) -> None:
    session, _ready = recovered_session(world)
    check = _check(world, session, nausea_or_dizziness=True)
    with pytest.raises(PermissionDenied):
        exit_check_physician_decide(
            actor=world.actor("nurse_x"),
            check=check,
            decision=ExitDecision.MAY_LEAVE,
            reason="The nurse tries to clear it herself.",
        )
    with pytest.raises(ValidationFailed) as info:
        exit_check_physician_decide(
            actor=world.actor("physician_x"), check=check, decision="may_leave", reason="ok"
        )
    assert "reason" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        exit_check_physician_decide(
            actor=world.actor("physician_x"),
            check=check,
            decision="whatever",
            reason="A long enough reason here.",
        )
    assert "decision" in info.value.errors
    clear = _check(world, session)
    with pytest.raises(Conflict, match="nothing"):
        exit_check_physician_decide(
            actor=world.actor("physician_x"),
            check=clear,
            decision=ExitDecision.MAY_LEAVE,
            reason="Nothing to decide on here.",
        )


def test_the_exit_check_is_recorded_in_recovery_only(world: World) -> None:
    session = monitoring_session(world)
    with pytest.raises(Conflict, match="recovery"):
        _check(world, session)
    with pytest.raises(PermissionDenied):
        exit_check_record(actor=world.actor("front_desk_x"), session=session, **CLEAR)


def test_an_elevation_still_present_at_discharge_enters_the_switch_rules(world: World) -> None:
    """An amber mood-elevation alert: psychiatrist told, next session held until cleared."""
    session, _ready = recovered_session(world)
    assert session_hold_level(world.patient_a) == "none"
    check = _check(world, session, mood_elevation=True)
    alert = Alert.objects.get(patient=world.patient_a, category=AlertCategory.MOOD_ELEVATION)
    assert alert.rule_id == "switch.amber.exit_check"
    assert (alert.level, alert.hold, alert.priority) == (
        AlertLevel.AMBER,
        SessionHold.AMBER,
        AlertPriority.ROUTINE,
    )
    assert (alert.source_type, alert.source_id) == ("exit_check", str(check.pk))
    assert alert.evidence_key == f"exit_check:{check.pk}"
    assert alert.facts["exit_mood_elevation"] is True
    assert AlertEvent.objects.filter(
        alert=alert, kind=AlertEventKind.NOTIFIED, to_user=world.users["psychiatrist_a"]
    ).exists()
    assert session_hold_level(world.patient_a) == "amber"


def test_a_perceptual_change_still_present_raises_the_same_amber_alert(world: World) -> None:
    session, _ready = recovered_session(world)
    _check(world, session, perceptual_change=True)
    alert = Alert.objects.get(patient=world.patient_a, rule_id="switch.amber.exit_check")
    assert alert.facts["exit_perceptual_change"] is True
    assert alert.level == AlertLevel.AMBER


def test_new_suicidal_ideation_reaches_a_clinician_at_once(world: World) -> None:
    session, _ready = recovered_session(world)
    _check(world, session, new_suicidal_ideation=True)
    alert = Alert.objects.get(patient=world.patient_a, rule_id="suicide.exit_check.new_ideation")
    assert alert.category == AlertCategory.SUICIDALITY
    assert alert.priority == AlertPriority.URGENT
    assert (alert.ack_due_at - alert.raised_at).total_seconds() == 60 * 60
    assert AlertEvent.objects.filter(alert=alert, kind=AlertEventKind.NOTIFIED).exists()


def test_a_clear_exit_check_raises_nothing(world: World) -> None:
    session, _ready = recovered_session(world)
    _check(world, session, walks_steadily=False, nausea_or_dizziness=True)
    assert not Alert.objects.filter(
        patient=world.patient_a, evidence_key__startswith="exit"
    ).exists()


# ---------------------------------------------------------------- pages and API

POSITIVE_FORM = {
    "new_suicidal_ideation": "false",
    "mood_elevation": "false",
    "perceptual_change": "false",
    "walks_steadily": "false",
    "nausea_or_dizziness": "false",
}


def test_the_session_page_records_the_exit_check_and_the_physicians_decision(
    world: World,
) -> None:
    session, _ready = recovered_session(world)
    page = f"/treatment/sessions/{session.pk}/"
    nurse, physician = world.client("nurse_x"), world.client("physician_x")
    assert b"Record the exit check" in nurse.get(page).content
    missing = nurse.post(f"{page}exit-check/", {"walks_steadily": "true"})
    assert missing.status_code == 422 and b"New suicidal ideation" in missing.content
    assert nurse.post(f"{page}exit-check/", POSITIVE_FORM).status_code == 302
    shown = nurse.get(page).content.decode()
    assert "does not walk steadily without help" in shown
    assert "Discharge waits for a physician&#x27;s decision" in shown
    assert "Record the decision" not in shown
    assert "Record the decision" in physician.get(page).content.decode()
    short = physician.post(f"{page}exit-check/decision/", {"decision": "stays", "reason": "no"})
    assert short.status_code == 422 and b"Write the reason" in short.content
    decided = physician.post(
        f"{page}exit-check/decision/",
        {"decision": "may_leave", "reason": "Walked the corridor with the escort, steady."},
    )
    assert decided.status_code == 302
    body = nurse.get(page).content.decode()
    assert "May go home" in body and "Walked the corridor with the escort, steady." in body
    assert world.client("nurse_y").post(f"{page}exit-check/", POSITIVE_FORM).status_code == 404


def test_the_exit_check_through_the_api(world: World) -> None:
    session, _ready = recovered_session(world)
    base = f"/api/v1/treatment/sessions/{session.pk}/exit-check"
    nurse, physician = world.client("nurse_x"), world.client("physician_x")
    assert nurse.get(base).status_code == 404
    body = {**CLEAR, "nausea_or_dizziness": True}
    created = nurse.post(base, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["findings"] == ["significant nausea or dizziness"]
    assert nurse.get(base).json()["id"] == created.json()["id"]
    decision = {"decision": "stays", "reason": "Still nauseated; observe another half hour."}
    as_nurse = nurse.post(f"{base}/decision", json.dumps(decision), content_type="application/json")
    assert as_nurse.status_code == 403
    decided = physician.post(
        f"{base}/decision", json.dumps(decision), content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["physician_decision"] == "stays"
    incomplete = nurse.post(
        base, json.dumps({"walks_steadily": True}), content_type="application/json"
    )
    assert incomplete.status_code == 422
    assert world.client("nurse_y").get(base).status_code == 404
