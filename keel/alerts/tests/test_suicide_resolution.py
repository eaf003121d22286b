"""Urgent suicidality alerts: documented contact and assessment to resolve, the psychiatrist
of record told, an unreached patient escalating along the rota (issue 15, REFERENCE §7)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import World
from keel.alerts.models import AlertEventKind, AlertStatus
from keel.alerts.selectors import clinic_today, suicide_dosing_gate
from keel.alerts.services import (
    RiskAssessment,
    alert_acknowledge,
    alert_record_contact,
    alert_resolve,
)
from keel.alerts.tests.helpers import RISK, finding, raise_alert, reached, rota, staff_mail
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, ValidationFailed
from keel.intake.protocols import protocol_for_clinic
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.services import assessment_record

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
API = "/api/v1/alerts"

#: The urgent suicidality rules of keel-default (tier 2, tier 3, C-SSRS moderate and high).
URGENT_SUICIDE_RULES = (
    "suicide.phq9_item9.tier2",
    "suicide.qids_item12.tier2",
    "suicide.madrs_item10.tier2",
    "suicide.madrs_item10.tier3",
    "suicide.cssrs_screen.moderate",
    "suicide.cssrs_screen.high",
    "suicide.cssrs_since_last_visit.moderate",
    "suicide.cssrs_since_last_visit.high",
    "suicide.mixed_features",
)


def _post(client: Client, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(f"{API}{path}", json.dumps(body), content_type="application/json")
    return response.status_code, response.json() if response.content else None


def _acknowledged(world: World, rule_id: str = "suicide.phq9_item9.tier2") -> Any:
    # Fired by a rating that is not one of the test's own (ids from 1).
    alert = raise_alert(world.patient_a, finding(rule_id=rule_id), trigger_ref="assessment:9999")
    return alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)


# ---------------------------------------------------------------- resolution


def test_a_voicemail_cannot_resolve_an_urgent_suicidality_alert(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    nurse_user, physician_user = rota(world, "nurse_x", "physician_x")
    with django_capture_on_commit_callbacks(execute=True):
        alert = _acknowledged(world)
    nurse = world.actor("nurse_x")
    with pytest.raises(Conflict, match="reached"):
        alert_resolve(actor=nurse, alert=alert, action_taken="Left a voicemail.", risk=RISK)
    before = len(staff_mail())
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_record_contact(
            actor=nurse, alert=alert, method="phone", reached=False, note="Left a voicemail."
        )
    # Still unresolved, no contact made; it goes one step along the rota at once.
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.contact_made_at is None
    assert alert.escalation_level == 1
    attempt = alert.events.get(kind=AlertEventKind.CONTACT_ATTEMPTED)
    assert attempt.by == nurse_user and attempt.detail["method"] == "phone"
    assert attempt.detail["reached"] is False and attempt.note == "Left a voicemail."
    step = alert.events.get(kind=AlertEventKind.ESCALATED)
    assert step.to_user == physician_user and step.detail["reason"] == "patient_not_reached"
    assert [m.to for m in staff_mail()[before:]] == [[physician_user.email]]
    assert "patient not reached" in staff_mail()[-1].subject
    with pytest.raises(Conflict, match="voicemail"):
        alert_resolve(actor=nurse, alert=alert, action_taken="Left a voicemail.", risk=RISK)
    # A second try reaches her: now the assessment decides.
    reached(world, alert, "physician_x")
    alert = alert_resolve(actor=nurse, alert=alert, action_taken="Spoke by phone.", risk=RISK)
    assert alert.status == AlertStatus.RESOLVED


def test_the_contact_says_how_when_and_who(world: World) -> None:
    alert = _acknowledged(world)
    nurse = world.actor("nurse_x")
    with pytest.raises(ValidationFailed) as caught:
        alert_record_contact(actor=nurse, alert=alert)
    assert list(caught.value.errors) == ["method"]
    with pytest.raises(ValidationFailed) as caught:
        alert_record_contact(actor=nurse, alert=alert, method="letter")
    assert list(caught.value.errors) == ["method"]
    future = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed) as caught:
        alert_record_contact(actor=nurse, alert=alert, method="phone", contacted_at=future)
    assert list(caught.value.errors) == ["contacted_at"]
    for who in ("nurse_y", "front_desk_x"):
        with pytest.raises(ValidationFailed) as caught:
            alert_record_contact(
                actor=nurse, alert=alert, method="phone", contacted_by_id=world.users[who].pk
            )
        assert list(caught.value.errors) == ["contacted_by_id"], who
    when = timezone.now() - dt.timedelta(minutes=1)
    alert = alert_record_contact(
        actor=nurse,
        alert=alert,
        method="in_person",
        contacted_at=when,
        contacted_by_id=world.users["physician_x"].pk,
    )
    assert alert.contact_made_at == when
    made = alert.events.get(kind=AlertEventKind.CONTACT_MADE)
    assert made.by == world.users["physician_x"] and made.at == when
    assert made.detail == {
        "method": "in_person",
        "reached": True,
        "recorded_by": world.users["nurse_x"].pk,
    }


def test_resolving_needs_the_assessment_naming_each_field(world: World) -> None:
    alert = _acknowledged(world, "suicide.cssrs_screen.moderate")
    nurse = world.actor("nurse_x")
    reached(world, alert)
    with pytest.raises(ValidationFailed) as caught:
        alert_resolve(actor=nurse, alert=alert, action_taken="Called.")
    assert set(caught.value.errors) == {"risk_basis", "safety_plan_step"}
    with pytest.raises(ValidationFailed) as caught:
        alert_resolve(
            actor=nurse,
            alert=alert,
            action_taken="Called.",
            risk=RiskAssessment(basis="judgement", level="none", safety_plan_step="Reviewed."),
        )
    assert list(caught.value.errors) == ["risk_level"]
    with pytest.raises(ValidationFailed) as caught:
        alert_resolve(
            actor=nurse,
            alert=alert,
            action_taken="Called.",
            risk=RiskAssessment(basis="cssrs", safety_plan_step="Reviewed."),
        )
    assert list(caught.value.errors) == ["risk_level"]
    # A follow-up C-SSRS taken since the alert gives the level.
    rating = assessment_record(
        actor=nurse,
        patient=world.patient_a,
        instrument_id="cssrs_screen",
        answers=[1, 0, None, None, None, 0, None],
        purpose=AssessmentPurpose.CHECK_IN,
    )
    risk = RiskAssessment(
        basis="cssrs", cssrs_id=rating.pk, safety_plan_step="Stanley-Brown plan updated."
    )
    alert = alert_resolve(actor=nurse, alert=alert, action_taken="Called; plan updated.", risk=risk)
    assert alert.status == AlertStatus.RESOLVED
    stored = alert.events.get(kind=AlertEventKind.RESOLVED).detail["assessment"]
    assert stored == {
        "basis": "cssrs",
        "level": "low",
        "cssrs_id": rating.pk,
        "safety_plan_step": "Stanley-Brown plan updated.",
    }
    audit = AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk)).last()
    assert audit is not None and audit.detail["assessment"]["level"] == "low"


def test_the_rating_that_raised_the_alert_is_not_its_follow_up(world: World) -> None:
    nurse = world.actor("nurse_x")
    rating = assessment_record(
        actor=nurse,
        patient=world.patient_a,
        instrument_id="cssrs_screen",
        answers=[1, 1, 1, 0, 0, 0, None],
        purpose=AssessmentPurpose.CHECK_IN,
    )
    alert = world.patient_a.alerts.get(rule_id="suicide.cssrs_screen.moderate")
    alert_acknowledge(actor=nurse, alert=alert)
    reached(world, alert)
    with pytest.raises(ValidationFailed) as caught:
        alert_resolve(
            actor=nurse,
            alert=alert,
            action_taken="Called.",
            risk=RiskAssessment(basis="cssrs", cssrs_id=rating.pk, safety_plan_step="Plan."),
        )
    assert list(caught.value.errors) == ["cssrs_id"]


def test_a_routine_suicidality_alert_resolves_with_the_action_taken(world: World) -> None:
    alert = raise_alert(
        world.patient_a, finding(rule_id="suicide.phq9_item9.tier1", priority="routine")
    )
    nurse = world.actor("nurse_x")
    alert_acknowledge(actor=nurse, alert=alert)
    alert = alert_resolve(actor=nurse, alert=alert, action_taken="C-SSRS screen: none.")
    assert alert.status == AlertStatus.RESOLVED


# ---------------------------------------------------------------- the psychiatrist of record


def test_urgent_suicidality_notifies_the_psychiatrist(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    patient = world.patient_a
    psychiatrist = patient.psychiatrist_of_record
    assert psychiatrist is not None
    with django_capture_on_commit_callbacks(execute=True):
        # Even when the protocol's flag is off (the helper's finding says false).
        alert = raise_alert(patient, finding(notify_psychiatrist=False))
    [message] = [m for m in mail.outbox if m.to == [psychiatrist.email or psychiatrist.user.email]]
    assert "suicidality alert for one of your patients" in message.subject
    body = message.subject + message.body
    for identifier in (patient.given_name, patient.family_name, patient.mrn):
        assert identifier not in body
    told = alert.events.get(kind="notified", detail__recipient="psychiatrist_of_record")
    assert told.to_user == world.users["psychiatrist_a"]


def test_routine_suicidality_does_not_notify_the_psychiatrist(world: World) -> None:
    alert = raise_alert(
        world.patient_a, finding(rule_id="suicide.phq9_item9.tier1", priority="routine")
    )
    assert not alert.events.filter(detail__recipient="psychiatrist_of_record").exists()


@pytest.mark.parametrize("rule_id", URGENT_SUICIDE_RULES)
def test_yaml_urgent_suicide_rules_notify_the_psychiatrist(rule_id: str) -> None:
    rule = protocol_for_clinic(None).rule(rule_id)
    assert rule.alert is not None
    assert rule.alert.notify_psychiatrist is True, rule_id


# ---------------------------------------------------------------- pages and API


def test_contact_and_resolve_pages(world: World) -> None:
    alert = _acknowledged(world)
    client = world.client("nurse_x")
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="contact-needed"' in page and 'name="risk_basis"' in page
    response = client.post(f"/alerts/{alert.pk}/contact/", {"reached": "yes"})
    assert response.status_code == 422 and b'id="id_contact_method-error"' in response.content
    response = client.post(
        f"/alerts/{alert.pk}/contact/",
        {"method": "phone", "reached": "no", "note": "Left a voicemail."},
    )
    assert response.status_code == 302
    response = client.post(
        f"/alerts/{alert.pk}/resolve/",
        {"action_taken": "x", "risk_basis": "judgement", "risk_level": "low"},
    )
    assert response.status_code == 302  # 409: not reached, the reason on the alert page
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Not reached" in page and "voicemail" in page
    client.post(f"/alerts/{alert.pk}/contact/", {"method": "video", "reached": "yes"})
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"action_taken": "Video call."})
    assert response.status_code == 422
    assert b'id="id_resolve_risk_basis-error"' in response.content
    assert b'id="id_resolve_safety_plan_step-error"' in response.content
    response = client.post(
        f"/alerts/{alert.pk}/resolve/",
        {
            "action_taken": "Video call.",
            "risk_basis": "judgement",
            "risk_level": "moderate",
            "safety_plan_step": "Safety plan reviewed; means counselling.",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="resolution-assessment"' in page and "moderate" in page


def test_contact_and_resolve_over_the_api(world: World) -> None:
    alert = _acknowledged(world)
    nurse = world.client("nurse_x")
    status, body = _post(nurse, f"/{alert.pk}/contact", {"reached": True})
    assert status == 422 and list(body["errors"]) == ["method"]
    status, body = _post(nurse, f"/{alert.pk}/contact", {"method": "phone", "reached": False})
    assert status == 200 and body["contact_made_at"] is None and body["status"] == "acknowledged"
    status, body = _post(nurse, f"/{alert.pk}/resolve", {"action_taken": "Voicemail."})
    assert status == 409
    assert _post(nurse, f"/{alert.pk}/contact", {"method": "phone"})[0] == 200
    status, body = _post(nurse, f"/{alert.pk}/resolve", {"action_taken": "Called."})
    assert status == 422 and set(body["errors"]) == {"risk_basis", "safety_plan_step"}
    status, body = _post(
        nurse,
        f"/{alert.pk}/resolve",
        {
            "action_taken": "Called.",
            "risk_basis": "judgement",
            "risk_level": "low",
            "safety_plan_step": "Plan reviewed.",
        },
    )
    assert status == 200 and body["status"] == "resolved"


def test_same_day_assessment_page_and_api(world: World) -> None:
    alert = raise_alert(world.patient_a)
    today = clinic_today(world.clinic_x, timezone.now())
    physician = world.client("physician_x")
    page = physician.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="dosing-assessment-form"' in page
    assert 'data-testid="dosing-assessment-form"' not in (
        world.client("nurse_x").get(f"/alerts/{alert.pk}/").content.decode()
    )
    url = f"/alerts/{alert.pk}/same-day-assessment/"
    response = physician.post(url, {"decision": "dose", "reason": ""})
    assert response.status_code == 422
    assert b'id="id_assess_reason-error"' in response.content
    assert b'id="id_assess_cssrs_level-error"' in response.content
    assert world.client("nurse_x").post(url, {"decision": "dose"}).status_code == 403
    response = physician.post(
        url, {"decision": "dose", "reason": "No ideation today.", "cssrs_level": "none"}
    )
    assert response.status_code == 302
    assert not suicide_dosing_gate(patient=world.patient_a, on=today).blocks_dosing
    page = physician.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="dosing-assessment"' in page and "No ideation today." in page
    status, body = _post(
        physician,
        f"/{alert.pk}/same-day-assessment",
        {"decision": "do_not_dose", "reason": "Ideation returned.", "cssrs_level": "low"},
    )
    assert status == 201 and body["gate_blocks_dosing"] is True
    assert body["decision"] == "do_not_dose" and body["alert_ids"] == [alert.pk]
    status, body = _post(physician, f"/{alert.pk}/same-day-assessment", {"decision": "dose"})
    assert status == 422 and {"reason", "cssrs_level"} <= set(body["errors"])
    status, _body = _post(
        world.client("nurse_x"),
        f"/{alert.pk}/same-day-assessment",
        {"decision": "dose", "reason": "x", "cssrs_level": "none"},
    )
    assert status == 403
