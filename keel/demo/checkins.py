"""Between sessions in the demo: portal logins, check-in schedules, diaries and scales.

Everything goes through the services the portal and the staff pages use, at
its own moment (``at``), so the alert rules of the protocol raise the demo's
alerts exactly as they would have on the day:

- Alex: a week of diary before the first dose (the personal baseline), weekly
  PHQ-9 falling from 18, the review MADRS of 12: a responder on the life chart;
- Blair: ASRM at the cut-off the day after session 3 with less need for sleep
  (amber), then again today with a second short night (red): session 4 is held,
  Dr Reyes is notified and sees it in her login;
- Casey: yesterday's weekly PHQ-9 with item 9 = 2: an urgent suicidality alert,
  already escalated once along the on-call rota (Dana, then Dr Okafor);
- Harper: MADRS 30 -> 27 at the end of induction: non-response, raised by the clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keel.accounts.models import Clinic, User
from keel.accounts.selectors import Actor, actor_build
from keel.alerts.services import alerts_escalate_overdue, alerts_evaluate_clock, on_call_add
from keel.demo import data
from keel.demo.sessions import at
from keel.monitoring.defaults import CoursePhase
from keel.monitoring.models import AssessmentPurpose
from keel.monitoring.services import (
    assignment_defaults_apply,
    clinician_rating_record,
    diary_submit,
    patient_login_create,
    portal_rating_submit,
)
from keel.patients.models import Patient
from keel.treatment.models import TreatmentSession


def _portal_login(patient: Patient, username: str) -> Actor:
    """The patient's portal login (the demo skips the emailed invitation link)."""
    user = patient_login_create(
        patient=patient,
        username=username,
        password=data.DEMO_PASSWORD,
        email=patient.email,
        detail={"via": "demo"},
    )
    actor = actor_build(user=user, clinic_id=None)
    if actor is None:
        raise RuntimeError("a demo patient login cannot act")
    return actor


def _evening(day: dt.date, clinic: Clinic) -> dt.datetime:
    """8 pm on ``day`` in the clinic, or a little before now when that is still to come.

    Just after the clinic's midnight "a little before now" would fall on the day
    before, so it is then half-way between midnight and now (still ``day``).
    """
    evening = dt.datetime.combine(day, dt.time(20, 0), tzinfo=clinic.tzinfo)
    now = timezone.now()
    latest = now - dt.timedelta(minutes=30)
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=clinic.tzinfo)
    if latest < midnight <= now:
        latest = midnight + (now - midnight) / 2
    return min(evening, latest)


def _diary(
    actor: Actor, patient: Patient, day: dt.date, mood: int, sleep: str, *, less_need: bool = False
) -> None:
    moment = _evening(day, patient.clinic)
    with at(moment):
        diary_submit(
            actor=actor,
            patient=patient,
            mood=mood,
            sleep_hours=Decimal(sleep),
            felt_less_need_for_sleep=less_need,
            irritability=2 if less_need else 1,
            energy=2 if less_need else mood,
            medication_taken_as_prescribed=True,
            now=moment,
        )


def _scale(
    actor: Actor, patient: Patient, moment: dt.datetime, scale: str, answers: list[int]
) -> None:
    with at(moment):
        portal_rating_submit(
            actor=actor, patient=patient, instrument_id=scale, answers=list(answers)
        )


def _weekly(
    actor: Actor,
    patient: Patient,
    start: dt.date,
    today: dt.date,
    phq9: tuple[int, ...],
    *,
    asrm_normal: bool = True,
) -> None:
    """The weekly scales of the induction defaults, on each due day from ``start``."""
    week = 0
    while start + dt.timedelta(days=7 * week) < today:
        moment = _evening(start + dt.timedelta(days=7 * week), patient.clinic)
        total = phq9[min(week, len(phq9) - 1)]
        _scale(actor, patient, moment, "phq9", data.phq9_answers(total))
        _scale(actor, patient, moment, "qids_sr16", data.qids_answers(total))
        if asrm_normal:
            _scale(actor, patient, moment, "asrm", [0, 0, 1, 0, 0])
        week += 1


def _first_session_day(patient: Patient) -> dt.date:
    first = TreatmentSession.objects.filter(patient=patient).order_by("scheduled_for").first()
    if first is None:
        raise RuntimeError("the demo story needs the patient's sessions")
    return timezone.localtime(first.scheduled_for, patient.clinic.tzinfo).date()


def load_checkins(*, clinic: Clinic, users: dict[str, User], patients: dict[str, Patient]) -> None:
    """Portal logins, schedules and check-ins for the between-session personas."""
    nurse = actor_build(user=users["dana"], clinic_id=clinic.pk)
    physician = actor_build(user=users["okafor"], clinic_id=clinic.pk)
    admin = actor_build(user=users["lee"], clinic_id=clinic.pk)
    if nurse is None or physician is None or admin is None:
        raise RuntimeError("the demo staff have no membership")
    now = timezone.now()
    today = timezone.localdate(now, clinic.tzinfo)
    with at(now - dt.timedelta(days=30)):
        on_call_add(actor=admin, user_id=users["dana"].pk, phone="+1 555 0100 201")
        on_call_add(actor=admin, user_id=users["okafor"].pk, phone="+1 555 0100 202")

    logins = {
        name: _portal_login(patients[name], data.portal_username(name))
        for name in data.PORTAL_LOGINS
    }

    # Alex: a week of diary before the first dose, then improving; weekly PHQ-9 falling.
    alex = patients["Alex"]
    first = _first_session_day(alex)
    start = first - dt.timedelta(days=8)
    with at(_evening(start, clinic)):
        assignment_defaults_apply(actor=nurse, patient=alex, phase=CoursePhase.INDUCTION)
    for offset in range(-8, (today - first).days):
        day = first + dt.timedelta(days=offset)
        mood = -2 if offset < 0 else min(0, -2 + offset // 5)
        _diary(logins["Alex"], alex, day, mood, "6.5" if offset < 0 else "7.5")
    _weekly(logins["Alex"], alex, start, today, data.ALEX_WEEKLY_PHQ9)
    with at(now - dt.timedelta(days=8)):
        clinician_rating_record(
            actor=physician,
            patient=alex,
            instrument_id="madrs",
            answers=data.ALEX_REVIEW_MADRS,
            purpose=AssessmentPurpose.CHECK_IN,
        )

    # Blair: amber the day after session 3, red today (a second short night, ASRM again).
    blair = patients["Blair"]
    first = _first_session_day(blair)
    start = first - dt.timedelta(days=8)
    with at(_evening(start, clinic)):
        assignment_defaults_apply(actor=nurse, patient=blair, phase=CoursePhase.INDUCTION)
    for offset in range(-8, (today - first).days - 1):
        _diary(logins["Blair"], blair, first + dt.timedelta(days=offset), -1, "7.0")
    _weekly(logins["Blair"], blair, start, today - dt.timedelta(days=1), (16, 12))
    yesterday = today - dt.timedelta(days=1)
    _diary(logins["Blair"], blair, yesterday, 2, "4.5", less_need=True)
    _scale(logins["Blair"], blair, _evening(yesterday, clinic), "asrm", data.BLAIR_ASRM)
    _diary(logins["Blair"], blair, today, 2, "4.0", less_need=True)
    # After today's diary entry and before now, so the timeline reads in order.
    diary_at = _evening(today, clinic)
    _scale(logins["Blair"], blair, diary_at + (now - diary_at) / 2, "asrm", data.BLAIR_ASRM)

    # Casey: yesterday's weekly PHQ-9 with item 9 = 2 -> urgent; not acknowledged since.
    casey = patients["Casey"]
    start = today - dt.timedelta(days=8)
    with at(_evening(start, clinic)):
        assignment_defaults_apply(actor=nurse, patient=casey, phase=CoursePhase.INDUCTION)
    for offset in range(8, 0, -1):
        _diary(logins["Casey"], casey, today - dt.timedelta(days=offset), -2, "6.0")
    _weekly(logins["Casey"], casey, start, start + dt.timedelta(days=1), (17,))
    yesterday_evening = _evening(today - dt.timedelta(days=1), clinic)
    _scale(logins["Casey"], casey, yesterday_evening, "phq9", data.CASEY_PHQ9)
    _scale(logins["Casey"], casey, yesterday_evening, "qids_sr16", data.qids_answers(15))
    _scale(logins["Casey"], casey, yesterday_evening, "asrm", [0, 0, 0, 0, 0])

    # Harper: the review MADRS after the sixth session, 27 against 30: non-response.
    with at(now - dt.timedelta(days=4)):
        clinician_rating_record(
            actor=physician,
            patient=patients["Harper"],
            instrument_id="madrs",
            answers=data.HARPER_REVIEW_MADRS,
            purpose=AssessmentPurpose.CHECK_IN,
        )

    # The clinic clock: escalate what waited too long, raise the time-based findings.
    alerts_escalate_overdue(now)
    alerts_evaluate_clock(now)
