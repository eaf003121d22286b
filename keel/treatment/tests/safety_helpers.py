"""Sessions taken to monitoring or recovery, and protocols with a clinic's values (synthetic data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
import yaml
from django.utils import timezone

from conftest import World
from keel.clinical.protocol import Protocol, load_protocol
from keel.intake.protocols import default_protocol_path
from keel.treatment.models import TreatmentSession, VitalContext
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_record,
    session_check_in,
    session_rating_record,
    session_start_prechecks,
    vitals_record,
)
from keel.treatment.tests.helpers import EARLY, scheduled_session
from keel.treatment.tests.test_chairside import CALM, CHECKLIST


def protocol_with(**defaults: object) -> Protocol:
    """The shipped protocol with some parameter defaults changed (a clinic's values)."""
    data = yaml.safe_load(default_protocol_path().read_text(encoding="utf-8"))
    for name, value in defaults.items():
        data["parameters"][name]["default"] = value
    return load_protocol(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def use_protocol(monkeypatch: pytest.MonkeyPatch, protocol: Protocol) -> None:
    """Make every treatment read (and the alerts) use ``protocol`` for the clinic."""
    monkeypatch.setattr("keel.treatment.clinical.protocol_for_clinic", lambda _clinic: protocol)


def monitoring_session(world: World, session: TreatmentSession | None = None) -> TreatmentSession:
    """Patient A's IV session, checked, dosed (verified by a physician) and in monitoring."""
    nurse = world.actor("nurse_x")
    session = session or scheduled_session(world)
    session = session_check_in(
        actor=nurse, session=session, escort_name="Robin Ellery", escort_phone="+1 555 0100 222"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    vitals_record(actor=nurse, session=session, context=VitalContext.PRE_DOSE, **CALM)
    session_rating_record(
        actor=nurse, session=session, instrument_id="ymrs", answers=[0, 1, 0, 1] + [0] * 7
    )
    session_rating_record(
        actor=nurse,
        session=session,
        instrument_id="cssrs_since_last_visit",
        answers=[0, 0, None, None, None, 0],
    )
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    return dose_start(actor=nurse, dose=dose)


def recovered_session(world: World) -> tuple[TreatmentSession, dt.datetime]:
    """A session in recovery whose discharge criteria are met at the returned moment."""
    nurse = world.actor("nurse_x")
    session = monitoring_session(world)
    start = session.dose_started_at or timezone.now()
    session = dose_stop(actor=nurse, session=session, reason=EARLY)
    ready = start + dt.timedelta(minutes=130)
    with time_machine.travel(ready, tick=False):
        vitals_record(actor=nurse, session=session, context=VitalContext.RECOVERY, **CALM)
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[5])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
    return session, ready
