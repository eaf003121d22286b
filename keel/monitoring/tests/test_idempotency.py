"""Idempotent submissions: a retried or double-tapped submit never records twice."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from conftest import World
from keel.alerts.models import Alert
from keel.common.exceptions import Conflict, ValidationFailed
from keel.monitoring import services
from keel.monitoring.models import Assessment, AssessmentPurpose, DiaryEntry
from keel.monitoring.services import (
    assessment_record,
    assessment_submit,
    diary_submit,
    portal_rating_submit,
)
from keel.monitoring.tests.helpers import form_key, post_phq9

pytestmark = pytest.mark.django_db

ITEM9_AT_2 = [1, 1, 1, 1, 1, 1, 1, 1, 2]
DIARY = {
    "mood": 0,
    "sleep_hours": 7,
    "felt_less_need_for_sleep": False,
    "irritability": 1,
    "energy": 0,
    "medication_taken_as_prescribed": True,
}


def test_same_key_twice_stores_one_rating_and_evaluates_alerts_once(world: World) -> None:
    actor = world.actor("patient_a")
    with mock.patch("keel.monitoring.services.alerts_evaluate") as evaluate:
        first = portal_rating_submit(
            actor=actor,
            patient=world.patient_a,
            instrument_id="phq9",
            answers=ITEM9_AT_2,
            idempotency_key="tap-1",
        )
        second = portal_rating_submit(
            actor=actor,
            patient=world.patient_a,
            instrument_id="phq9",
            answers=ITEM9_AT_2,
            idempotency_key="tap-1",
        )
    assert (first.created, second.created) == (True, False)
    assert first.record.pk == second.record.pk
    assert Assessment.objects.count() == 1
    evaluate.assert_called_once_with(
        patient=world.patient_a,
        trigger_kind="rating",
        trigger_ref=f"assessment:{first.record.pk}",
        actor=actor,
        doses=(),  # read once by the service (the acute window), handed to the rules
    )


def test_a_replayed_key_raises_no_second_alert(world: World) -> None:
    client = world.client("patient_a")
    post_phq9(client, ITEM9_AT_2, key="same-key")
    after_first = Alert.objects.filter(patient=world.patient_a).count()
    post_phq9(client, ITEM9_AT_2, key="same-key")
    assert Alert.objects.filter(patient=world.patient_a).count() == after_first
    assert after_first <= 1
    assert Assessment.objects.count() == 1


def test_a_hundred_repeated_posts_store_one_row(world: World) -> None:
    client = world.client("patient_a")
    page = client.get(reverse("portal:scale") + "?instrument=phq9").content.decode()
    key = form_key(page)
    statuses = {post_phq9(client, [0] * 9, key=key).status_code for _ in range(100)}
    assert statuses == {200}
    assert Assessment.objects.filter(patient=world.patient_a).count() == 1


def test_the_key_is_per_patient(world: World) -> None:
    for who, patient in (("patient_a", world.patient_a), ("patient_b", None)):
        client = world.client(who)
        post_phq9(client, [0] * 9, key="shared-key")
        del patient
    assert Assessment.objects.filter(idempotency_key="shared-key").count() == 2


def test_a_key_reused_for_another_questionnaire_is_a_conflict(world: World) -> None:
    actor = world.actor("patient_a")
    portal_rating_submit(
        actor=actor,
        patient=world.patient_a,
        instrument_id="phq9",
        answers=[0] * 9,
        idempotency_key="k1",
    )
    with pytest.raises(Conflict):
        portal_rating_submit(
            actor=actor,
            patient=world.patient_a,
            instrument_id="asrm",
            answers=[0] * 5,
            idempotency_key="k1",
        )


def test_a_bad_key_is_named(world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        assessment_submit(
            actor=world.actor("nurse_x"),
            patient=world.patient_a,
            instrument_id="phq9",
            answers=[0] * 9,
            purpose=AssessmentPurpose.CHECK_IN,
            idempotency_key="bad key!",
        )
    assert "idempotency_key" in info.value.errors


def test_the_race_loser_reads_the_winners_row(world: World) -> None:
    """The key was not there when checked but is there at insert: the unique constraint
    refuses the second row (in a savepoint) and the stored one comes back."""
    actor = world.actor("patient_a")
    winner = portal_rating_submit(
        actor=actor,
        patient=world.patient_a,
        instrument_id="phq9",
        answers=[0] * 9,
        idempotency_key="race",
    ).record
    real = services.assessment_by_key
    calls = {"n": 0}

    def late(**kwargs: object) -> Assessment | None:
        calls["n"] += 1
        # The portal's own check misses; the next call is the loser reading the winner.
        return None if calls["n"] <= 1 else real(**kwargs)  # type: ignore[arg-type]

    with (
        mock.patch.object(services, "assessment_by_key", side_effect=late),
        mock.patch("keel.monitoring.services.alerts_evaluate") as evaluate,
    ):
        loser = portal_rating_submit(
            actor=actor,
            patient=world.patient_a,
            instrument_id="phq9",
            answers=[0] * 9,
            idempotency_key="race",
        )
    assert (loser.created, loser.record.pk) == (False, winner.pk)
    evaluate.assert_not_called()
    assert Assessment.objects.count() == 1
    # The connection is still usable after the refused insert (PostgreSQL: savepoint).
    assert Assessment.objects.filter(pk=winner.pk).exists()


def test_the_diary_race_loser_reads_the_winners_row(world: World) -> None:
    actor = world.actor("patient_a")
    winner = diary_submit(
        actor=actor, patient=world.patient_a, idempotency_key="d-race", **DIARY
    ).record
    with (
        mock.patch.object(services, "diary_by_key", side_effect=[None, winner]),
        mock.patch.object(services, "diary_for_day", return_value=None),
    ):
        loser = diary_submit(
            actor=actor, patient=world.patient_a, idempotency_key="d-race", **DIARY
        )
    assert (loser.created, loser.record.pk) == (False, winner.pk)
    assert DiaryEntry.objects.count() == 1


def test_assessment_record_keeps_working_for_other_apps(world: World) -> None:
    """Intake and treatment call assessment_record without a key: every call stores a row."""
    nurse = world.actor("nurse_x")
    for _ in range(2):
        rating = assessment_record(
            actor=nurse,
            patient=world.patient_a,
            instrument_id="asrm",
            answers=[0, 1, 0, 1, 0],
            purpose=AssessmentPurpose.BASELINE,
        )
        assert rating.total == 2
    assert Assessment.objects.filter(purpose="baseline").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database cannot be shared between threads; CI runs this on PostgreSQL",
)
def test_concurrent_submits_with_one_key_store_one_row(world: World) -> None:
    writers = 4
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []
    created: list[bool] = []

    def submit() -> None:
        try:
            barrier.wait()
            result = portal_rating_submit(
                actor=world.actor("patient_a"),
                patient=world.patient_a,
                instrument_id="phq9",
                answers=ITEM9_AT_2,
                idempotency_key="concurrent",
            )
            created.append(result.created)
            diary_submit(
                actor=world.actor("patient_a"),
                patient=world.patient_a,
                idempotency_key="concurrent-diary",
                **DIARY,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(created) == [False] * (writers - 1) + [True]
    assert Assessment.objects.filter(idempotency_key="concurrent").count() == 1
    assert DiaryEntry.objects.filter(patient=world.patient_a).count() == 1
    assert Alert.objects.filter(patient=world.patient_a).count() <= 1
