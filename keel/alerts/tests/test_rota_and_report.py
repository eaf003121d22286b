"""The on-call rota page (add, reorder, remove) and the time-to-acknowledge report figures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import World
from keel.alerts.models import Alert, OnCallEntry
from keel.alerts.selectors import ack_report, percentile
from keel.alerts.services import alert_acknowledge
from keel.alerts.tests.helpers import amber, finding, raise_alert

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


def _ranks(world: World) -> list[str]:
    entries = OnCallEntry.objects.filter(clinic=world.clinic_x).order_by("rank")
    return [e.user.username for e in entries]


def test_rota_page_adds_reorders_and_removes(world: World) -> None:
    admin = world.client("clinic_admin_x")
    assert admin.get("/alerts/on-call/").status_code == 200
    assert admin.post("/alerts/on-call/", {"user_id": world.users["nurse_x"].pk}).status_code == 302
    response = admin.post(
        "/alerts/on-call/", {"user_id": world.users["physician_x"].pk, "phone": "+1 555 0100 7"}
    )
    assert response.status_code == 302
    assert _ranks(world) == ["nurse_x", "physician_x"]
    second = OnCallEntry.objects.get(user=world.users["physician_x"])
    assert admin.post(f"/alerts/on-call/{second.pk}/move/", {"direction": "up"}).status_code == 302
    assert _ranks(world) == ["physician_x", "nurse_x"]
    page = admin.get("/alerts/on-call/").content.decode()
    names = [world.users[u].get_full_name() for u in ("physician_x", "nurse_x")]
    assert page.index(names[0]) < page.index(names[1]) and page.count(">On call<") == 2
    # Staff of another clinic, or without alert duties, are refused naming the field.
    for who in ("nurse_y", "front_desk_x"):
        response = admin.post("/alerts/on-call/", {"user_id": world.users[who].pk})
        assert response.status_code == 422, who
        assert b'id="id_user_id-error"' in response.content
    response = admin.post(
        "/alerts/on-call/",
        {"user_id": world.users["nurse_x"].pk, "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
    )
    assert response.status_code == 422 and b'id="id_ends_on-error"' in response.content
    assert admin.post(f"/alerts/on-call/{second.pk}/remove/").status_code == 302
    assert _ranks(world) == ["nurse_x"]
    assert OnCallEntry.objects.get().rank == 1
    assert world.client("nurse_x").get("/alerts/on-call/").status_code == 403
    assert world.client("nurse_y").post(f"/alerts/on-call/{second.pk}/remove/").status_code == 403


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0


def test_report_figures(world: World) -> None:
    nurse = world.actor("nurse_x")
    minutes = [2, 4, 6, 8, 30]
    for n, delay in enumerate(minutes):
        with time_machine.travel(T0 + dt.timedelta(hours=n), tick=False):
            alert = raise_alert(world.patient_a, finding(evidence_key=f"a:{n}", rule_id=f"r{n}"))
        with time_machine.travel(T0 + dt.timedelta(hours=n, minutes=delay), tick=False):
            alert_acknowledge(actor=nurse, alert=alert)
    Alert.objects.filter(rule_id="r4").update(escalation_level=1)
    with time_machine.travel(T0, tick=False):
        raise_alert(world.patient_a, amber())  # routine, never acknowledged
    outside = T0 - dt.timedelta(days=40)
    with time_machine.travel(outside, tick=False):
        raise_alert(world.patient_a, finding(evidence_key="old", rule_id="old"))

    rows = ack_report(
        clinic=world.clinic_x, start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=1)
    )
    urgent, routine = rows
    assert (urgent.priority, urgent.category) == ("urgent", "suicidality")
    assert (urgent.count, urgent.acknowledged, urgent.escalated) == (5, 5, 1)
    assert urgent.median_minutes == 6.0 and urgent.p90_minutes == 30.0
    assert (routine.category, routine.count, routine.acknowledged) == ("mood_elevation", 1, 0)
    assert routine.median_minutes is None

    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        page = world.client("clinic_admin_x").get("/alerts/report/?start=2026-11-01&end=2026-11-03")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="alert-report"' in html
    assert "6.0" in html and "30.0" in html
    assert "Ainsley" not in html and world.patient_a.mrn not in html
    bad = world.client("clinic_admin_x").get("/alerts/report/?start=2026-11-03&end=2026-11-01")
    assert bad.status_code == 422 and b'id="id_end-error"' in bad.content
    assert world.client("nurse_x").get("/alerts/report/").status_code == 403
