"""Stop events, live: a reading that fires a rule answers at once with the prompt; repeated
firings fold into one open event; the nurse records the action taken; ending the infusion
early needs a reason; an open emergency stop holds recovery and discharge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, ValidationFailed
from keel.treatment.models import SessionEvent, SessionEventKind, SessionState, VitalContext
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_record,
    session_rating_record,
    stop_event_act,
    stop_events_open,
    vitals_record_checked,
)
from keel.treatment.tests.helpers import EARLY
from keel.treatment.tests.test_chairside import CALM, CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db

HIGH_BP = {**CALM, "systolic_bp": 188, "diastolic_bp": 112, "heart_rate": 98}
LOW_SPO2 = {**CALM, "spo2": 85, "respiratory_rate": 8}


def _monitoring(world: World):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=physician, dose=dose)
    return dose_start(actor=nurse, dose=dose)


def _stops(session) -> list[SessionEvent]:  # type: ignore[no-untyped-def]
    return list(SessionEvent.objects.filter(session=session, kind=SessionEventKind.STOP_RULE))


def test_repeated_firings_fold_into_one_open_event_until_the_action_is_recorded(
    world: World,
) -> None:
    nurse = world.actor("nurse_x")
    session = _monitoring(world)
    for _ in range(3):
        vitals_record_checked(actor=nurse, session=session, context=VitalContext.DURING, **HIGH_BP)
    stops = _stops(session)
    assert len(stops) == len({e.rule_id for e in stops}), [e.rule_id for e in stops]
    bp = next(e for e in stops if e.rule_id == "stop.bp.pause_infusion")
    assert bp.data["open"] is True and bp.data["count"] == 3
    acted_at = timezone.now() - dt.timedelta(minutes=0)
    closed = stop_event_act(
        actor=nurse, session=session, event_id=bp.pk, action="paused", acted_at=acted_at
    )
    assert closed.data["open"] is False and closed.data["action"] == "paused"
    assert AuditEvent.objects.filter(object_type="stop_event", object_id=str(bp.pk)).count() == 2
    with pytest.raises(Conflict):
        stop_event_act(actor=nurse, session=session, event_id=bp.pk, action="paused")
    # Once closed, the next firing opens a new event.
    vitals_record_checked(actor=nurse, session=session, context=VitalContext.DURING, **HIGH_BP)
    assert (
        SessionEvent.objects.filter(
            session=session, rule_id="stop.bp.pause_infusion", data__open=True
        ).count()
        == 1
    )


def test_the_action_must_be_one_of_the_list_and_not_in_the_future(world: World) -> None:
    nurse = world.actor("nurse_x")
    session = _monitoring(world)
    vitals_record_checked(actor=nurse, session=session, context=VitalContext.DURING, **HIGH_BP)
    event = _stops(session)[0]
    with pytest.raises(ValidationFailed) as bad:
        stop_event_act(actor=nurse, session=session, event_id=event.pk, action="ignored")
    assert "action" in bad.value.errors
    with pytest.raises(ValidationFailed) as future:
        stop_event_act(
            actor=nurse,
            session=session,
            event_id=event.pk,
            action="paused",
            acted_at=timezone.now() + dt.timedelta(minutes=30),
        )
    assert "acted_at" in future.value.errors


def test_a_moaas_rating_runs_the_sedation_stop_rules(world: World) -> None:
    nurse = world.actor("nurse_x")
    session = _monitoring(world)
    session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[1])
    assert any(e.rule_id.startswith("stop.sedation.") for e in stop_events_open(session=session))


def test_ending_the_infusion_early_needs_a_reason_and_an_emergency_holds_recovery(
    world: World,
) -> None:
    nurse = world.actor("nurse_x")
    session = _monitoring(world)
    with pytest.raises(ValidationFailed) as early:
        dose_stop(actor=nurse, session=session)
    assert "reason" in early.value.errors
    vitals_record_checked(actor=nurse, session=session, context=VitalContext.DURING, **LOW_SPO2)
    emergency = stop_events_open(session=session, severity="critical")
    assert emergency, [e.rule_id for e in stop_events_open(session=session)]
    with pytest.raises(Conflict) as held:
        dose_stop(actor=nurse, session=session, reason=EARLY)
    assert "emergency stop" in held.value.message
    session.refresh_from_db()
    # Stopping the drug is never blocked: the real stop time is stored, the state waits.
    assert session.state == SessionState.MONITORING and session.infusion_ended_at is not None
    stopped_at = session.infusion_ended_at
    for event in stop_events_open(session=session):
        stop_event_act(actor=nurse, session=session, event_id=event.pk, action="stopped")
    session = dose_stop(actor=nurse, session=session)  # the reason was given with the stop
    assert session.state == SessionState.RECOVERY and session.infusion_ended_at == stopped_at


def test_an_open_emergency_stop_holds_discharge(world: World) -> None:
    from keel.treatment.services import session_discharge

    nurse = world.actor("nurse_x")
    session = _monitoring(world)
    session = dose_stop(actor=nurse, session=session, reason=EARLY)
    vitals_record_checked(actor=nurse, session=session, context=VitalContext.RECOVERY, **LOW_SPO2)
    assert stop_events_open(session=session, severity="critical")
    with pytest.raises(Conflict) as held:
        session_discharge(
            actor=nurse,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Jamie Doe",
        )
    # The unmet criteria come first; the emergency is named once they are met.
    assert "Discharge" in held.value.message


def test_htmx_vitals_entry_answers_with_the_prompt_out_of_band(world: World) -> None:
    session = _monitoring(world)
    nurse = world.client("nurse_x")
    page = f"/treatment/sessions/{session.pk}/"
    response = nurse.post(
        f"{page}vitals/",
        {"context": "during", **{k: str(v) for k, v in HIGH_BP.items()}},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "keel:vitals"  # the chart redraws
    assert "188/112" in body  # the vitals table
    assert 'id="stop-prompt" hx-swap-oob="true"' in body
    assert 'role="alert"' in body and "data-focus" in body and "Stop or pause rule" in body
    # A calm reading: the prompt stays (still open) but is not focused again.
    calm = nurse.post(
        f"{page}vitals/",
        {"context": "during", **{k: str(v) for k, v in CALM.items()}},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'hx-swap-oob="true"' in calm and "data-focus" not in calm
    # Without JavaScript: a redirect to the page, which focuses the prompt.
    plain = nurse.post(
        f"{page}vitals/", {"context": "during", **{k: str(v) for k, v in HIGH_BP.items()}}
    )
    assert plain.status_code == 302 and plain["Location"].endswith("?stop=new#stop-prompt")
    assert "data-focus" in nurse.get(plain["Location"]).content.decode()


def test_the_nurse_records_the_action_from_the_session_page(world: World) -> None:
    session = _monitoring(world)
    client = world.client("nurse_x")
    page = f"/treatment/sessions/{session.pk}/"
    client.post(f"{page}vitals/", {"context": "during", **{k: str(v) for k, v in HIGH_BP.items()}})
    client.post(f"{page}vitals/", {"context": "during", **{k: str(v) for k, v in HIGH_BP.items()}})
    shown = client.get(page).content.decode()
    assert "fired 2 times" in shown and "Record the action" in shown
    for event in stop_events_open(session=session):
        response = client.post(
            f"{page}stop-event/",
            {"event_id": str(event.pk), "action": "physician_called", "acted_at": "", "note": ""},
        )
        assert response.status_code == 302
    assert stop_events_open(session=session) == []
    after = client.get(page).content.decode()
    assert 'data-testid="stop-prompt"' not in after and "Physician called" in after
    bad = client.post(f"{page}stop-event/", {"event_id": "999999", "action": "paused"})
    assert bad.status_code == 302


def test_the_page_and_the_api_name_the_open_emergency_when_recovery_is_refused(
    world: World,
) -> None:
    import json

    session = _monitoring(world)
    client = world.client("nurse_x")
    page = f"/treatment/sessions/{session.pk}/"
    client.post(f"{page}vitals/", {"context": "during", **{k: str(v) for k, v in LOW_SPO2.items()}})
    emergency = stop_events_open(session=session, severity="critical")[0]
    shown = client.get(page).content.decode()
    assert "Emergency: act now" in shown
    refused = client.post(f"{page}stop/", {"reason": "Desaturation: infusion stopped"}, follow=True)
    body = refused.content.decode()
    assert "waits until the emergency stop is dealt with" in body
    assert emergency.text.split(":")[0] in body
    session.refresh_from_db()
    assert session.state == SessionState.MONITORING and session.infusion_ended_at is not None
    api = client.post(
        f"/api/v1/treatment/sessions/{session.pk}/dose/stop",
        json.dumps({}),
        content_type="application/json",
    )
    assert api.status_code == 409 and emergency.text.split(":")[0] in api.json()["detail"]


def test_once_the_session_is_over_an_open_stop_is_shown_without_the_alarm(world: World) -> None:
    from keel.treatment.services import session_hand_off

    session = _monitoring(world)
    nurse = world.actor("nurse_x")
    vitals_record_checked(actor=nurse, session=session, context=VitalContext.DURING, **LOW_SPO2)
    session_hand_off(
        actor=world.actor("physician_x"),
        session=session,
        kind="emergency_transfer",
        reason="Desaturation not resolving at the chair",
        destination="City Hospital emergency department",
    )
    body = world.client("nurse_x").get(f"/treatment/sessions/{session.pk}/").content.decode()
    assert "Stop events without the action recorded" in body
    assert "Emergency: act now" not in body
