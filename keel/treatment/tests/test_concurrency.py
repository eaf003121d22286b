"""Two clinicians recording on one session at the same time never lose an entry."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from conftest import World
from keel.treatment.models import SessionEvent, TreatmentSession, VitalContext, VitalSigns
from keel.treatment.services import session_check_in, session_start_prechecks, vitals_record
from keel.treatment.tests.helpers import scheduled_session

WRITERS = 2
READINGS_EACH = 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database cannot be shared between threads; CI runs this on PostgreSQL",
)
def test_two_clinicians_record_vitals_concurrently_without_losing_any(world: World) -> None:
    session = scheduled_session(world)
    nurse = world.actor("nurse_x")
    session = session_check_in(
        actor=nurse, session=session, escort_name="Robin", escort_phone="+1 555 0100 222"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    actors = [world.actor("nurse_x"), world.actor("physician_x")]
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def record(index: int) -> None:
        try:
            barrier.wait()
            for n in range(READINGS_EACH):
                fresh = TreatmentSession.objects.get(pk=session.pk)
                vitals_record(
                    actor=actors[index],
                    session=fresh,
                    context=VitalContext.PRE_DOSE,
                    systolic_bp=120 + n,
                    diastolic_bp=80,
                    heart_rate=70 + index,
                    spo2=98,
                    idempotency_key=f"w{index}-{n}",
                )
                # The same retry twice stores once.
                vitals_record(
                    actor=actors[index],
                    session=fresh,
                    context=VitalContext.PRE_DOSE,
                    systolic_bp=120 + n,
                    diastolic_bp=80,
                    heart_rate=70 + index,
                    spo2=98,
                    idempotency_key=f"w{index}-{n}",
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=record, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = VitalSigns.objects.filter(session=session)
    assert rows.count() == WRITERS * READINGS_EACH
    assert set(rows.values_list("heart_rate", flat=True)) == {70, 71}
    assert SessionEvent.objects.filter(session=session).count() == 2  # the two transitions
