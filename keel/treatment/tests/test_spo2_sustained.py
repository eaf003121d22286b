"""Sustained low SpO2: the prescriber tier fires once the clinic's time below the level passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from keel.treatment.models import SessionEvent, SessionEventKind, VitalContext
from keel.treatment.services import vitals_record_checked
from keel.treatment.tests.safety_helpers import (
    CALM,
    monitoring_session,
    protocol_with,
    use_protocol,
)

pytestmark = pytest.mark.django_db

RULE = "stop.spo2.prescriber_bedside"


def _fired(world: World, session, at: dt.datetime, spo2: int) -> bool:  # type: ignore[no-untyped-def]
    _vitals, actions = vitals_record_checked(
        actor=world.actor("nurse_x"),
        session=session,
        context=VitalContext.DURING,
        taken_at=at,
        **{**CALM, "spo2": spo2},
    )
    return RULE in {a.rule_id for a in actions}


def test_low_spo2_calls_the_prescriber_once_sustained_for_the_clinics_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_protocol(monkeypatch, protocol_with(spo2_sustained_seconds=60))
    session = monitoring_session(world)
    t0 = timezone.now()
    assert _fired(world, session, t0, 93) is False
    assert _fired(world, session, t0 + dt.timedelta(seconds=59), 92) is False
    assert _fired(world, session, t0 + dt.timedelta(seconds=60), 92) is True
    event = SessionEvent.objects.get(session=session, kind=SessionEventKind.STOP_RULE, rule_id=RULE)
    assert "Prescriber" in event.text or "prescriber" in event.text


def test_a_normal_reading_starts_the_count_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_protocol(monkeypatch, protocol_with(spo2_sustained_seconds=60))
    session = monitoring_session(world)
    t0 = timezone.now()
    assert _fired(world, session, t0, 93) is False
    assert _fired(world, session, t0 + dt.timedelta(seconds=30), 96) is False
    assert _fired(world, session, t0 + dt.timedelta(seconds=70), 93) is False
    assert _fired(world, session, t0 + dt.timedelta(seconds=130), 93) is True


def test_a_late_entered_reading_counts_where_it_was_taken(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading typed in late is placed at its time: the run ends at that reading."""
    use_protocol(monkeypatch, protocol_with(spo2_sustained_seconds=60))
    session = monitoring_session(world)
    t0 = timezone.now() - dt.timedelta(minutes=10)
    assert _fired(world, session, t0 + dt.timedelta(seconds=120), 92) is False
    assert _fired(world, session, t0, 92) is False  # older: nothing before it is low
    assert _fired(world, session, t0 + dt.timedelta(seconds=180), 92) is True


def test_with_the_shipped_placeholder_any_low_reading_fires(world: World) -> None:
    session = monitoring_session(world)
    assert _fired(world, session, timezone.now(), 93) is True
