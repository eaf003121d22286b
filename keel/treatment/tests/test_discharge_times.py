"""A refused discharge says when each time criterion will be met (clinic time)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from keel.common.exceptions import Conflict
from keel.treatment.clinical import discharge_unmet, session_protocol
from keel.treatment.services import dose_stop, session_discharge
from keel.treatment.tests.helpers import EARLY
from keel.treatment.tests.test_stop_events import _monitoring

pytestmark = pytest.mark.django_db


def _in_recovery(world: World):  # type: ignore[no-untyped-def]
    return dose_stop(actor=world.actor("nurse_x"), session=_monitoring(world), reason=EARLY)


def test_time_criteria_carry_when_they_are_met(world: World) -> None:
    session = _in_recovery(world)
    _protocol, params = session_protocol(session)
    unmet = {
        c.rule_id: c
        for c in discharge_unmet(
            session=session, now=timezone.now(), escort_present=True, no_driving_acknowledged=True
        )
    }
    observation = unmet["discharge.observation.iv_minimum"]
    assert observation.met_at == session.infusion_ended_at + dt.timedelta(
        minutes=params.iv_ketamine_min_observation_minutes
    )
    moaas = unmet["discharge.sedation.moaas_monitoring_duration"]
    assert moaas.met_at == session.dose_started_at + dt.timedelta(
        minutes=params.moaas_min_duration_minutes
    )
    # A criterion that is not about time has none.
    assert all(
        c.met_at is None
        for rule_id, c in unmet.items()
        if not rule_id.startswith(("discharge.observation.", "discharge.sedation.moaas_monitoring"))
    )


def test_the_refusal_names_the_time_in_the_clinic_zone(world: World) -> None:
    session = _in_recovery(world)
    _protocol, params = session_protocol(session)
    clinic = session.patient.clinic
    ends = timezone.localtime(
        session.infusion_ended_at
        + dt.timedelta(minutes=params.iv_ketamine_min_observation_minutes),
        clinic.tzinfo,
    )
    with pytest.raises(Conflict) as refused:
        session_discharge(
            actor=world.actor("nurse_x"),
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="Jamie Doe",
        )
    assert f"met at {ends:%H:%M}, {clinic.time_zone}" in refused.value.message
    page = world.client("nurse_x").post(
        f"/treatment/sessions/{session.pk}/discharge/",
        {"escort_present": "on", "no_driving_acknowledged": "on", "escort_name": "Jamie Doe"},
    )
    body = page.content.decode()
    assert page.status_code == 409 and 'data-testid="met-at"' in body
    assert f"Met at {ends:%H:%M}</strong> (clinic time, {clinic.time_zone})" in body
