"""Urgent suicidality alerts hold the dose until a physician's same-day assessment says dose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from conftest import World
from keel.alerts.models import AlertStatus, SuicideDosingAssessment
from keel.alerts.same_day import suicide_dosing_assessment_record
from keel.alerts.selectors import clinic_today, suicide_dosing_gate
from keel.alerts.services import alert_acknowledge, alerts_record_findings
from keel.alerts.tests.helpers import finding, raise_alert
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.services import assessment_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clinic_midday(world: World) -> Iterator[None]:
    """Run at noon of the clinic's day: "an hour ago" must still be the clinic's today.

    (CI failed at 06:02 UTC, just after midnight in Chicago, where an hour earlier was yesterday.)
    """
    zone = ZoneInfo(world.clinic_x.time_zone)
    day = timezone.now().astimezone(zone).date()
    with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=zone), tick=True):
        yield


def _today(world: World) -> dt.date:
    return clinic_today(world.clinic_x, timezone.now())


def _assess(world: World, **changes: object) -> SuicideDosingAssessment:
    values: dict[str, object] = {
        "actor": world.actor("physician_x"),
        "patient": world.patient_a,
        "decision": "dose",
        "reason": "C-SSRS none today; safety plan reviewed; dose as planned.",
        "cssrs_level": "none",
    }
    values.update(changes)
    return suicide_dosing_assessment_record(**values)  # type: ignore[arg-type]


def test_no_alert_no_gate(world: World) -> None:
    gate = suicide_dosing_gate(patient=world.patient_a, on=_today(world))
    assert not gate.urgent_open and not gate.blocks_dosing


@pytest.mark.parametrize(
    "rule_id",
    [
        "suicide.phq9_item9.tier2",
        "suicide.madrs_item10.tier3",
        "suicide.cssrs_screen.high",
        "suicide.cssrs_since_last_visit.moderate",
    ],
)
def test_open_or_acknowledged_urgent_alert_holds_until_assessed(world: World, rule_id: str) -> None:
    alert = raise_alert(world.patient_a, finding(rule_id=rule_id))
    today = _today(world)
    gate = suicide_dosing_gate(patient=world.patient_a, on=today)
    assert gate.urgent_open and not gate.assessed_today and gate.blocks_dosing
    alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)
    assert suicide_dosing_gate(patient=world.patient_a, on=today).blocks_dosing

    _assess(world)
    gate = suicide_dosing_gate(patient=world.patient_a, on=today)
    assert gate.urgent_open and gate.assessed_today and not gate.blocks_dosing
    assert gate.alert_ids == (alert.pk,)
    # The assessment is for that clinic day only.
    assert suicide_dosing_gate(
        patient=world.patient_a, on=today + dt.timedelta(days=1)
    ).blocks_dosing


def test_a_routine_suicidality_alert_does_not_hold(world: World) -> None:
    raise_alert(world.patient_a, finding(rule_id="suicide.phq9_item9.tier1", priority="routine"))
    assert not suicide_dosing_gate(patient=world.patient_a, on=_today(world)).urgent_open


def test_a_tier2_alert_made_routine_by_a_protocol_still_holds(world: World) -> None:
    raise_alert(world.patient_a, finding(rule_id="suicide.qids_item12.tier2", priority="routine"))
    assert suicide_dosing_gate(patient=world.patient_a, on=_today(world)).blocks_dosing


def test_do_not_dose_keeps_the_hold(world: World) -> None:
    raise_alert(world.patient_a)
    record = _assess(world, decision="do_not_dose", reason="Passive ideation today; re-assess.")
    gate = suicide_dosing_gate(patient=world.patient_a, on=_today(world))
    assert gate.blocks_dosing and gate.decision == "do_not_dose"
    assert gate.assessment_id == record.pk


def test_a_new_firing_after_the_assessment_holds_again(world: World) -> None:
    now = timezone.now()
    raise_alert(world.patient_a, now=now - dt.timedelta(hours=2))
    _assess(world, now=now - dt.timedelta(hours=1))
    assert not suicide_dosing_gate(patient=world.patient_a, on=_today(world)).blocks_dosing
    alerts_record_findings(
        patient=world.patient_a,
        findings=[finding(evidence_key="assessment:9", now=now)],
        trigger_kind="rating",
        trigger_ref="assessment:9",
        actor=None,
        now=now,
    )
    assert suicide_dosing_gate(patient=world.patient_a, on=_today(world)).blocks_dosing


def test_resolved_alert_does_not_hold(world: World) -> None:
    alert = raise_alert(world.patient_a)
    alert.status = AlertStatus.RESOLVED
    alert.save(update_fields=["status"])
    assert not suicide_dosing_gate(patient=world.patient_a, on=_today(world)).urgent_open


def test_only_a_physician_of_the_clinic_records_it(world: World) -> None:
    raise_alert(world.patient_a)
    for who in ("nurse_x", "clinic_admin_x", "psychiatrist_a", "nurse_y"):
        with pytest.raises(PermissionDenied):
            _assess(world, actor=world.actor(who))


def test_needs_an_urgent_alert(world: World) -> None:
    with pytest.raises(Conflict):
        _assess(world)


def test_validation_names_the_field(world: World) -> None:
    raise_alert(world.patient_a)
    with pytest.raises(ValidationFailed) as caught:
        _assess(world, decision="maybe", reason=" ", cssrs_level="")
    assert set(caught.value.errors) == {"decision", "reason", "cssrs_level"}
    with pytest.raises(ValidationFailed) as caught:
        _assess(world, cssrs_level="high")
    assert set(caught.value.errors) == {"decision"}
    assert _assess(world, cssrs_level="high", decision="do_not_dose").cssrs_level == "high"


def test_links_todays_cssrs_since_last_visit(world: World) -> None:
    raise_alert(world.patient_a)
    rating = assessment_record(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
        purpose=AssessmentPurpose.PRE_SESSION,
    )
    record = _assess(world, cssrs_id=rating.pk, cssrs_level="")
    assert record.cssrs_id == rating.pk and record.cssrs_level == "none"
    with pytest.raises(ValidationFailed) as caught:
        _assess(world, cssrs_id=rating.pk, cssrs_level="low")
    assert "cssrs_level" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        _assess(world, cssrs_id=rating.pk + 999)
    assert "cssrs_id" in caught.value.errors
