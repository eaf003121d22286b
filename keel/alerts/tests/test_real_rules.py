"""alerts_evaluate against the shipped keel-default alert rules (no synthetic findings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from conftest import World
from keel.alerts.models import Alert, AlertCategory, AlertPriority
from keel.alerts.services import alerts_evaluate, alerts_evaluate_clock
from keel.alerts.tests.helpers import rota
from keel.clinical.instruments import get_instrument
from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, Frequency
from keel.monitoring.services import clinician_rating_record, diary_submit
from keel.patients.models import Patient
from keel.treatment.models import DoseAdministration, SessionState
from keel.treatment.tests.helpers import scheduled_session

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _rating(
    patient: Patient, instrument_id: str, answers: list[int | None], taken_at: dt.datetime
) -> Assessment:
    """A stored check-in rating, scored by the instrument library (no alert side effects)."""
    instrument = get_instrument(instrument_id)
    score = instrument.score(answers)
    return Assessment.objects.create(
        patient=patient,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        form_version=instrument.form_version,
        answers=answers,
        total=score.total,
        band="" if score.band is None else str(score.band),
        flags=sorted(score.flags),
        complete=score.complete,
        purpose=AssessmentPurpose.CHECK_IN,
        taken_at=taken_at,
    )


def _dosed(world: World, at: dt.datetime) -> None:
    """Patient A's first session, dosed at ``at`` (stored directly: the dose is the point)."""
    session = scheduled_session(world)
    session.state = SessionState.DISCHARGED
    session.save(update_fields=["state"])
    DoseAdministration.objects.create(
        session=session,
        route=session.course.route,
        drug="ketamine hydrochloride (racemic)",
        concentration_mg_per_ml=Decimal("10.00"),
        lot="LOT-42",
        dose_mg=Decimal("36.00"),
        volume_ml=Decimal("3.60"),
        calculation=["test"],
        prepared_by=world.users["nurse_x"],
        prepared_at=at,
        verified_by=world.users["physician_x"],
        verified_at=at,
        administered_by=world.users["nurse_x"],
        started_at=at,
        stopped_at=at + dt.timedelta(minutes=40),
    )


def test_phq9_item9_of_two_raises_an_urgent_suicidality_alert(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    (nurse,) = rota(world, "nurse_x")
    now = timezone.now()
    rating = _rating(world.patient_a, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], now)
    with django_capture_on_commit_callbacks(execute=True):
        raised = alerts_evaluate(
            patient=world.patient_a,
            trigger_kind="rating",
            trigger_ref=f"assessment:{rating.pk}",
            actor=None,
            now=now,
        )
    assert [a.rule_id for a in raised] == ["suicide.phq9_item9.tier2"]
    alert = raised[0]
    assert alert.priority == AlertPriority.URGENT and alert.category == AlertCategory.SUICIDALITY
    assert (alert.protocol_id, alert.protocol_version) == ("keel-default", "4")
    assert (alert.source_type, alert.source_id) == ("assessment", str(rating.pk))
    assert alert.facts["trigger_phq9_item9"] == 2
    assert alert.ack_due_at == now + dt.timedelta(minutes=60)
    # The psychiatrist of record is told of a tier 2 finding, like a mood alert (issue 15).
    psychiatrist = world.patient_a.psychiatrist_of_record
    assert psychiatrist is not None
    assert [m.to for m in mail.outbox] == [
        [psychiatrist.email or psychiatrist.user.email],
        [nurse.email],
    ]
    # The same rating evaluated again raises nothing new.
    again = alerts_evaluate(
        patient=world.patient_a,
        trigger_kind="rating",
        trigger_ref=f"assessment:{rating.pk}",
        actor=None,
    )
    assert again == [] and Alert.objects.count() == 1
    html = world.client("nurse_x").get("/alerts/").content.decode()
    assert f"alert-row-{alert.pk}" in html and "Urgent" in html
    detail = world.client("nurse_x").get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="crisis-resources"' in detail and 'data-testid="alert-source"' in detail


def test_asrm_at_the_cut_off_two_days_after_a_session_reaches_the_psychiatrist(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    now = timezone.now()
    _dosed(world, now - dt.timedelta(days=2))
    rating = _rating(world.patient_a, "asrm", [2, 1, 1, 1, 1], now)
    assert rating.total == 6
    with django_capture_on_commit_callbacks(execute=True):
        raised = alerts_evaluate(
            patient=world.patient_a,
            trigger_kind="rating",
            trigger_ref=f"assessment:{rating.pk}",
            actor=None,
            now=now,
        )
    assert [a.rule_id for a in raised] == ["switch.amber.asrm"]
    alert = raised[0]
    assert (alert.level, alert.hold) == ("amber", "amber")
    assert alert.facts.get("in_post_session_watch") is True
    psychiatrist = world.patient_a.psychiatrist_of_record
    assert psychiatrist is not None
    assert [m.to for m in mail.outbox] == [[psychiatrist.email or psychiatrist.user.email]]
    client = world.client("psychiatrist_a")
    assert f"alert-row-{alert.pk}" in client.get("/alerts/").content.decode()
    assert client.get(f"/alerts/{alert.pk}/").status_code == 200
    assert world.client("psychiatrist_other").get(f"/alerts/{alert.pk}/").status_code == 404


def test_acute_post_dose_asrm_raises_nothing(world: World) -> None:
    now = timezone.now()
    _dosed(world, now - dt.timedelta(hours=1))
    rating = _rating(world.patient_a, "asrm", [4, 4, 4, 4, 4], now)
    Assessment.objects.filter(pk=rating.pk).update(acute_post_dose=True)
    assert (
        alerts_evaluate(
            patient=world.patient_a,
            trigger_kind="rating",
            trigger_ref=f"assessment:{rating.pk}",
            actor=None,
            now=now,
        )
        == []
    )


def test_the_clock_notices_missed_diaries(world: World) -> None:
    now = timezone.now()
    Assignment.objects.create(
        patient=world.patient_a,
        instrument_id="diary",
        frequency=Frequency.DAILY,
        start_date=timezone.localdate() - dt.timedelta(days=6),
    )
    raised = alerts_evaluate_clock(now)
    assert [a.rule_id for a in raised] == ["checkin.diary.missed"]
    assert raised[0].category == AlertCategory.MISSED_CHECK_IN
    assert raised[0].priority == AlertPriority.ROUTINE
    assert alerts_evaluate_clock(now + dt.timedelta(minutes=1)) == []  # same evidence


def test_submissions_in_the_acute_window_after_a_dose_are_marked_and_feed_no_switch_rule(
    world: World,
) -> None:
    """The services read the doses once: for the stored acute flag and for the rules (§5.2)."""
    now = timezone.now()
    _dosed(world, now - dt.timedelta(hours=6))  # the acute window is 0-4 h after the dose
    nurse = world.actor("nurse_x")
    asrm_high = [3, 3, 3, 3, 3]

    def rate(taken_at: dt.datetime, key: str) -> Assessment:
        return clinician_rating_record(
            actor=nurse,
            patient=world.patient_a,
            instrument_id="asrm",
            answers=asrm_high,
            purpose=AssessmentPurpose.CHECK_IN,
            taken_at=taken_at,
            idempotency_key=key,
        ).record

    before = rate(now - dt.timedelta(hours=7), "before-dose")
    inside = rate(now - dt.timedelta(hours=5), "one-hour-after")
    after = rate(now, "six-hours-after")
    assert (before.acute_post_dose, inside.acute_post_dose, after.acute_post_dose) == (
        False,
        True,
        False,
    )
    # The switch rule fired on the ratings outside the window (raised, then fired again)
    # and never on the acute one.
    amber = Alert.objects.get(rule_id="switch.amber.asrm")
    assert amber.source_id == str(before.pk)
    refs = [e.detail.get("ref") for e in amber.events.order_by("pk")]
    assert f"assessment:{after.pk}" in refs
    assert f"assessment:{inside.pk}" not in refs

    entry = diary_submit(
        actor=world.actor("patient_a"),
        patient=world.patient_a,
        mood=0,
        sleep_hours=Decimal("7"),
        felt_less_need_for_sleep=False,
        irritability=0,
        energy=0,
        medication_taken_as_prescribed=True,
        now=now - dt.timedelta(hours=3),
    ).record
    assert entry.acute_post_dose is True
