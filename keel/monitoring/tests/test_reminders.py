"""Reminders: once per due date (clinic time zone), no clinical detail, and through the db worker."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import World
from keel.monitoring.models import Assignment, ReminderSent
from keel.monitoring.selectors import clinic_today
from keel.monitoring.services import (
    _remind,
    assignment_create,
    diary_submit,
    reminders_send_due,
)
from keel.monitoring.tasks import send_reminders
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DIARY = {
    "mood": 0,
    "sleep_hours": 8,
    "felt_less_need_for_sleep": False,
    "irritability": 0,
    "energy": 0,
    "medication_taken_as_prescribed": True,
}


def _assign(world: World, instrument_id: str, frequency: str, days_ago: int = 0) -> Assignment:
    return assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id=instrument_id,
        frequency=frequency,
        start_date=clinic_today(world.patient_a) - dt.timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_a_due_check_in_is_reminded_once_per_due_date(world: World) -> None:
    diary = _assign(world, "diary", "daily")
    now = timezone.now()
    assert reminders_send_due(now) == 1
    assert reminders_send_due(now + dt.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.users["patient_a"].email]
    assert "/portal/" in message.body
    for private in (world.patient_a.family_name, world.patient_a.mrn, "diary", "PHQ"):
        assert private not in message.body and private not in message.subject
    sent = ReminderSent.objects.get()
    assert (sent.assignment_id, sent.due_on) == (diary.pk, clinic_today(world.patient_a, now))
    # The next day the diary is due again: one more reminder.
    assert reminders_send_due(now + dt.timedelta(days=1)) == 1
    assert ReminderSent.objects.count() == 2


@pytest.mark.django_db
def test_an_overdue_weekly_scale_is_reminded_once_not_every_day(world: World) -> None:
    phq9 = _assign(world, "phq9", "weekly", days_ago=9)  # never done: the first one is open
    now = timezone.now()
    assert reminders_send_due(now) == 1
    assert reminders_send_due(now + dt.timedelta(days=1)) == 0
    assert ReminderSent.objects.get().due_on == phq9.start_date


@pytest.mark.django_db
def test_done_not_yet_started_and_ended_are_not_reminded(world: World) -> None:
    _assign(world, "diary", "daily")
    diary_submit(actor=world.actor("patient_a"), patient=world.patient_a, **DIARY)
    assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="asrm",
        frequency="weekly",
        start_date=clinic_today(world.patient_a) + dt.timedelta(days=3),
    )
    assert reminders_send_due(timezone.now()) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_one_email_per_patient_for_several_due_check_ins(world: World) -> None:
    _assign(world, "diary", "daily")
    _assign(world, "asrm", "weekly")
    assert reminders_send_due(timezone.now()) == 1
    assert "2 check-ins are" in mail.outbox[0].body
    assert ReminderSent.objects.count() == 2


@pytest.mark.django_db
@override_settings(KEEL_DEMO=False)
def test_a_scale_the_portal_cannot_show_is_not_reminded(world: World) -> None:
    _assign(world, "phq9", "weekly")
    assert reminders_send_due(timezone.now()) == 0
    _assign(world, "diary", "daily")
    assert reminders_send_due(timezone.now()) == 1
    assert ReminderSent.objects.get().assignment.instrument_id == "diary"


@pytest.mark.django_db
def test_patients_without_a_portal_login_get_no_reminder(world: World) -> None:
    offline: Patient = PatientFactory(clinic=world.clinic_x, email="o@example.org")
    assignment_create(
        actor=world.actor("nurse_x"), patient=offline, instrument_id="diary", frequency="daily"
    )
    assert reminders_send_due(timezone.now()) == 0


@pytest.mark.django_db
def test_today_is_the_clinics_date(world: World) -> None:
    """At 03:00 UTC it is still the previous evening in Chicago (the clinic's zone)."""
    diary = _assign(world, "diary", "daily", days_ago=2)
    utc_3am = dt.datetime.combine(
        clinic_today(world.patient_a), dt.time(3, 0), tzinfo=dt.UTC
    ) + dt.timedelta(days=1)
    reminders_send_due(utc_3am)
    local = timezone.localtime(utc_3am, world.clinic_x.tzinfo).date()
    assert ReminderSent.objects.get(assignment=diary).due_on == local
    assert local == utc_3am.date() - dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_second_run_racing_the_first_sends_nothing(world: World) -> None:
    diary = _assign(world, "diary", "daily")
    day = clinic_today(world.patient_a)
    now = timezone.now()
    assert _remind(world.patient_a, [(diary, day)], now) is True
    # The unique constraint refuses the row (in a savepoint); no email goes out.
    assert _remind(world.patient_a, [(diary, day)], now) is False
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_email_is_retried_by_the_next_run(world: World) -> None:
    _assign(world, "diary", "daily")
    with mock.patch("keel.monitoring.services.send_mail", side_effect=OSError("smtp down")):
        assert reminders_send_due(timezone.now()) == 0
    assert not ReminderSent.objects.exists()
    assert reminders_send_due(timezone.now()) == 1


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_runs_the_task_and_the_email_is_sent(world: World) -> None:
    _assign(world, "diary", "daily")
    mail.outbox.clear()
    with override_settings(TASKS=DB_TASKS):
        result = send_reminders.enqueue()
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
        assert mail.outbox == []
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0, stdout=StringIO())
        done = DBTaskResult.objects.get(id=result.id)
        assert done.status == TaskResultStatus.SUCCESSFUL
        assert done.return_value == 1
    assert [m.to for m in mail.outbox] == [[world.users["patient_a"].email]]
    assert ReminderSent.objects.count() == 1
