"""Escalation along the on-call rota, one step per urgent_alert_ack_minutes (time_machine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from conftest import World
from keel.alerts.models import Alert
from keel.alerts.services import alert_acknowledge, alerts_escalate_overdue, on_call_add
from keel.alerts.tests.helpers import URGENT_MINUTES, amber, raise_alert, rota, staff_mail

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
T0 = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def _at(minutes: float) -> Any:
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def _escalate(capture: Capture, minutes: float) -> list[Alert]:
    with _at(minutes), capture(execute=True):
        return alerts_escalate_overdue()


def test_two_person_rota_escalates_then_repeats_the_last_rank(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    nurse, physician = rota(world, "nurse_x", "physician_x")
    with _at(0), django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(world.patient_a)
    assert alert.ack_due_at == T0 + dt.timedelta(minutes=URGENT_MINUTES)
    assert [m.to for m in staff_mail()] == [[nurse.email]]  # rank 1 at once

    assert _escalate(django_capture_on_commit_callbacks, URGENT_MINUTES - 1) == []
    assert len(staff_mail()) == 1

    # Due: rank 2 is told.
    assert _escalate(django_capture_on_commit_callbacks, URGENT_MINUTES) == [alert]
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert staff_mail()[-1].to == [physician.email]
    assert "escalated to you" in staff_mail()[-1].subject
    assert world.patient_a.family_name not in staff_mail()[-1].body
    step = alert.events.filter(kind="escalated").last()
    assert step is not None and step.to_user == physician and step.detail["rank"] == 2
    assert step.detail["rota_exhausted"] is False

    # Rank 2 gets a full interval before the next step.
    assert _escalate(django_capture_on_commit_callbacks, 2 * URGENT_MINUTES - 1) == []
    assert len(staff_mail()) == 2

    # The rota is exhausted: the last rank is told again, and the alert says so.
    assert _escalate(django_capture_on_commit_callbacks, 2 * URGENT_MINUTES) == [alert]
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    assert staff_mail()[-1].to == [physician.email]
    assert "last person" in staff_mail()[-1].body
    last = alert.events.filter(kind="escalated").last()
    assert last is not None and last.detail["rota_exhausted"] is True

    page = world.client("nurse_x").get(f"/alerts/{alert.pk}/")
    assert b'data-testid="rota-exhausted"' in page.content

    # Acknowledged: no more steps.
    with _at(2 * URGENT_MINUTES + 5):
        alert_acknowledge(actor=world.actor("physician_x"), alert=alert)
    assert _escalate(django_capture_on_commit_callbacks, 5 * URGENT_MINUTES) == []
    assert len(staff_mail()) == 3


def test_routine_alerts_never_escalate(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    rota(world, "nurse_x")
    with _at(0):
        raise_alert(world.patient_a, amber())
    assert _escalate(django_capture_on_commit_callbacks, 10 * 24 * 60) == []


def test_dated_rota_entries_apply_on_their_days_only(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    admin = world.actor("clinic_admin_x")
    today = T0.date()
    on_call_add(
        actor=admin, user_id=world.users["nurse_x"].pk, ends_on=today - dt.timedelta(days=1)
    )
    on_call_add(actor=admin, user_id=world.users["physician_x"].pk, starts_on=today)
    with _at(0), django_capture_on_commit_callbacks(execute=True):
        raise_alert(world.patient_a)
    # Last week's nurse is no longer on call: the physician (rank 2 on the list) is called.
    assert [m.to for m in staff_mail()] == [[world.users["physician_x"].email]]


def test_without_a_rota_every_physician_and_clinic_admin_is_told(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    everyone = sorted([world.users["physician_x"].email, world.users["clinic_admin_x"].email])
    with _at(0), django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(world.patient_a)
    assert sorted(m.to[0] for m in staff_mail()) == everyone
    assert all("nobody on the on-call rota" in m.subject for m in staff_mail())
    assert world.patient_a.family_name not in "".join(m.body for m in staff_mail())
    assert _escalate(django_capture_on_commit_callbacks, URGENT_MINUTES) == [alert]
    # Overdue: everyone again (a nurse is not a fallback recipient).
    assert sorted(m.to[0] for m in staff_mail()[2:]) == everyone
    steps = alert.events.filter(kind="escalated")
    assert {e.to_user_id for e in steps} == {
        world.users["physician_x"].pk,
        world.users["clinic_admin_x"].pk,
    }
    with _at(URGENT_MINUTES + 1):
        page = world.client("nurse_x").get(f"/alerts/{alert.pk}/")
    assert b'data-testid="no-rota"' in page.content and b"Overdue" in page.content
