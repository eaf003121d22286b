"""In-session adverse events: recorded, listed, and read by the summary, the REMS form and the next checks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import World
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.treatment.models import (
    AdverseEvent,
    AdverseEventCategory,
    SessionEvent,
    SessionEventKind,
    VitalContext,
)
from keel.treatment.rems import rems_record
from keel.treatment.services import (
    adverse_event_record,
    exit_check_record,
    precheck_record,
    session_check_in,
    session_discharge,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)
from keel.treatment.tests.helpers import scheduled_session
from keel.treatment.tests.safety_helpers import monitoring_session
from keel.treatment.tests.test_chairside import CALM, CHECKLIST
from keel.treatment.tests.test_rems import esketamine_session

pytestmark = pytest.mark.django_db

NAUSEA = {
    "category": AdverseEventCategory.NAUSEA_VOMITING,
    "description": "Nauseated at 20 minutes, vomited once.",
    "action_taken": "Antiemetic given as prescribed; settled within 10 minutes.",
}


def _post(client: Client, url: str, body: object) -> tuple[int, object]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_an_adverse_event_is_recorded_with_who_and_when(world: World) -> None:
    session = monitoring_session(world)
    event = adverse_event_record(actor=world.actor("nurse_x"), session=session, **NAUSEA)
    assert event.category == AdverseEventCategory.NAUSEA_VOMITING
    assert event.recorded_by == world.users["nurse_x"]
    assert event.occurred_at >= (session.dose_started_at or event.occurred_at)
    timeline = SessionEvent.objects.get(session=session, kind=SessionEventKind.ADVERSE_EVENT)
    assert "Nausea or vomiting" in timeline.text and timeline.data["adverse_event"] == event.pk
    assert AuditEvent.objects.filter(object_type="adverse_event", object_id=str(event.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "fainting"}, "category"),
        ({"description": "  "}, "description"),
        ({"action_taken": ""}, "action_taken"),
        ({"occurred_at": "before"}, "occurred_at"),
        ({"occurred_at": "future"}, "occurred_at"),
    ],
)
def test_an_adverse_event_is_refused_naming_the_bad_field(
    world: World, change: dict[str, object], field: str
) -> None:
    session = monitoring_session(world)
    start = session.dose_started_at
    assert start is not None
    when = {
        "before": start - dt.timedelta(minutes=1),
        "future": timezone.now() + dt.timedelta(hours=1),
    }
    values = {**NAUSEA, **change}
    if isinstance(values.get("occurred_at"), str):
        values["occurred_at"] = when[str(values["occurred_at"])]
    with pytest.raises(ValidationFailed) as info:
        adverse_event_record(actor=world.actor("nurse_x"), session=session, **values)  # type: ignore[arg-type]
    assert field in info.value.errors


def test_adverse_events_belong_to_the_dosed_session_and_its_clinicians(world: World) -> None:
    session = scheduled_session(world)
    with pytest.raises(Conflict, match="start of the dose"):
        adverse_event_record(actor=world.actor("nurse_x"), session=session, **NAUSEA)
    with pytest.raises(PermissionDenied):
        adverse_event_record(actor=world.actor("front_desk_x"), session=session, **NAUSEA)
    assert not AdverseEvent.objects.exists()


def test_a_desaturation_with_intervention_answers_the_rems_respiratory_question(
    world: World,
) -> None:
    session = esketamine_session(world, discharge=False)
    assert rems_record(session).respiratory_depression is False
    start = session.dose_started_at
    assert start is not None
    with time_machine.travel(start + dt.timedelta(minutes=126), tick=False):
        adverse_event_record(
            actor=world.actor("nurse_x"),
            session=session,
            category=AdverseEventCategory.DESATURATION,
            occurred_at=start + dt.timedelta(minutes=35),
            description="SpO2 fell to 91 % on room air for about a minute.",
            action_taken="Chin lift and verbal prompting; SpO2 back to 97 %.",
        )
        exit_check_record(
            actor=world.actor("nurse_x"),
            session=session,
            new_suicidal_ideation=False,
            mood_elevation=False,
            perceptual_change=False,
            walks_steadily=True,
            nausea_or_dizziness=False,
        )
        session = session_discharge(
            actor=world.actor("nurse_x"),
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Robin Ellery",
        )
    record = rems_record(session)
    assert record.respiratory_depression is True
    assert record.respiratory_depression_resolved is True


# ---------------------------------------------------------------- pages and API


def test_the_session_page_records_and_lists_adverse_events(world: World) -> None:
    session = monitoring_session(world)
    nurse = world.client("nurse_x")
    page = f"/treatment/sessions/{session.pk}/"
    assert b"Record an adverse event" in nurse.get(page).content
    refused = nurse.post(f"{page}adverse-events/", {"category": "nausea_vomiting"})
    assert refused.status_code == 422 and b"Description" in refused.content
    done = nurse.post(
        f"{page}adverse-events/",
        {
            "category": "emergence_reaction",
            "description": "Frightened and restless on waking.",
            "action_taken": "Reassured in a quiet room; settled.",
        },
    )
    assert done.status_code == 302
    body = nurse.get(page).content.decode()
    assert "Emergence reaction" in body and "Frightened and restless on waking." in body
    assert world.client("nurse_y").post(f"{page}adverse-events/", {}).status_code == 404


def test_the_discharge_summary_lists_the_adverse_events_and_the_exit_check(world: World) -> None:
    session = esketamine_session(world, discharge=False)
    start = session.dose_started_at
    assert start is not None
    nurse = world.actor("nurse_x")
    with time_machine.travel(start + dt.timedelta(minutes=126), tick=False):
        adverse_event_record(actor=nurse, session=session, **NAUSEA)
        exit_check_record(
            actor=nurse,
            session=session,
            new_suicidal_ideation=False,
            mood_elevation=False,
            perceptual_change=False,
            walks_steadily=True,
            nausea_or_dizziness=False,
            note="Walked to the car with the escort.",
        )
        session_discharge(
            actor=nurse,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Robin Ellery",
        )
    body = world.client("nurse_x").get(f"/treatment/sessions/{session.pk}/summary/").content
    text = body.decode()
    assert "Adverse events" in text and "Nauseated at 20 minutes, vomited once." in text
    assert "Antiemetic given as prescribed" in text
    assert "Exit check" in text and "walks steadily without help" in text
    assert "Walked to the car with the escort." in text


def test_the_next_pre_checks_show_the_last_sessions_adverse_events(world: World) -> None:
    first = monitoring_session(world)
    adverse_event_record(actor=world.actor("nurse_x"), session=first, **NAUSEA)
    nurse = world.actor("nurse_x")
    second = session_schedule(
        actor=nurse, course=first.course, scheduled_for=timezone.now() + dt.timedelta(days=2)
    )
    second = session_check_in(
        actor=nurse, session=second, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    session_start_prechecks(actor=nurse, session=second)
    body = world.client("nurse_x").get(f"/treatment/sessions/{second.pk}/").content.decode()
    assert "Adverse event since the last session" in body
    assert f"Recorded in session {first.number}" in body
    assert "Nauseated at 20 minutes, vomited once." in body


def test_a_recorded_adverse_event_reaches_the_next_go_no_go_whatever_the_answer(
    world: World,
) -> None:
    """The next session's rule "adverse event since the last session" reads the record."""
    first = monitoring_session(world)
    adverse_event_record(actor=world.actor("nurse_x"), session=first, **NAUSEA)
    nurse = world.actor("nurse_x")
    second = session_schedule(
        actor=nurse, course=first.course, scheduled_for=timezone.now() + dt.timedelta(days=2)
    )
    second = session_check_in(
        actor=nurse, session=second, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    second = session_start_prechecks(actor=nurse, session=second)
    vitals_record(actor=nurse, session=second, context=VitalContext.PRE_DOSE, **CALM)
    session_rating_record(actor=nurse, session=second, instrument_id="ymrs", answers=[0] * 11)
    session_rating_record(
        actor=nurse,
        session=second,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
    )
    check = precheck_record(
        actor=nurse, session=second, answers={**CHECKLIST, "adverse_event_since_last": False}
    )
    assert check.facts["adverse_event_since_last"] is True
    assert "precheck.adverse_event.since_last_session" in check.fired_rule_ids
    assert check.outcome == "needs_physician"


def test_adverse_events_through_the_api(world: World) -> None:
    session = monitoring_session(world)
    url = f"/api/v1/treatment/sessions/{session.pk}/adverse-events"
    nurse = world.client("nurse_x")
    status, created = _post(nurse, url, {**NAUSEA, "category": "nausea_vomiting"})
    assert status == 201, created
    assert isinstance(created, dict) and created["category"] == "nausea_vomiting"
    status, refused = _post(nurse, url, {**NAUSEA, "description": ""})
    assert status == 422 and "description" in str(refused)
    listed = nurse.get(url)
    assert listed.status_code == 200 and [e["id"] for e in listed.json()] == [created["id"]]
    assert _post(world.client("nurse_y"), url, {**NAUSEA, "category": "other"})[0] == 404
    assert _post(world.client("front_desk_x"), url, {**NAUSEA, "category": "other"})[0] == 404
    assert world.client("psychiatrist_a").get(url).status_code == 404
