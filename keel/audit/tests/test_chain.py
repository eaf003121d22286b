from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from keel.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_bytes,
    event_hash,
    verify_chain,
)
from keel.audit.models import AuditAction, AuditEvent
from keel.audit.services import audit_record
from keel.audit.tests.factories import AuditActorFactory, FakeActor
from keel.audit.tests.triggers import append_only_triggers_dropped

TABLE = AuditEvent._meta.db_table


def _record(actor: FakeActor, count: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="patient",
            object_id=n,
            patient_id=n,
            detail={"n": n},
        )
        for n in range(1, count + 1)
    ]


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify_command() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- hashing


def test_canonical_form_is_sorted_compact_ascii_with_utc_microseconds() -> None:
    """The serialization the hash covers is fixed, whatever the time zone of the value."""
    values: dict[str, object] = dict.fromkeys(HASHED_FIELDS, "")
    values.update(
        sequence=1,
        occurred_at=dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        detail={"b": 1, "a": "é"},
        prev_hash=GENESIS_HASH,
    )
    text = canonical_bytes(values).decode("ascii")
    assert '"occurred_at":"2025-03-01T14:00:00.000000Z"' in text
    assert '"detail":{"a":"\\u00e9","b":1}' in text
    assert ", " not in text
    assert list(values) != sorted(values)
    assert text.index('"action"') < text.index('"sequence"')


def test_event_hash_covers_prev_hash_and_every_field() -> None:
    """Changing any hashed field, or the link, changes the hash."""
    values: dict[str, object] = dict.fromkeys(HASHED_FIELDS, "x")
    values.update(
        sequence=1,
        occurred_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        detail={},
        prev_hash=GENESIS_HASH,
    )
    base = event_hash(values)
    for name in HASHED_FIELDS:
        changed = dict(values)
        changed[name] = "1" * 64 if name == "prev_hash" else 2 if name == "sequence" else "y"
        if name == "occurred_at":
            changed[name] = dt.datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC)
        if name == "detail":
            changed[name] = {"k": 1}
        assert event_hash(changed) != base, name


# ---------------------------------------------------------------- verify


@pytest.mark.django_db
def test_verify_passes_on_an_intact_chain(actor: FakeActor) -> None:
    """Twenty-five events, read three at a time, verify."""
    events = _record(actor, 25)
    report = verify_chain(batch_size=3)
    assert report.ok is True
    assert report.checked == 25
    assert report.first_bad_sequence is None
    assert (report.head_sequence, report.head_hash) == (25, events[-1].hash)


@pytest.mark.django_db
def test_verify_passes_on_an_empty_trail() -> None:
    """No events is an intact chain of length zero."""
    report = verify_chain()
    assert (report.ok, report.checked, report.head_hash) == (True, 0, GENESIS_HASH)


@pytest.mark.django_db
def test_verify_rejects_a_zero_batch_size() -> None:
    """A batch of nothing would never advance."""
    with pytest.raises(ValueError, match="batch_size"):
        verify_chain(batch_size=0)


@pytest.mark.django_db
def test_command_reports_an_intact_chain(actor: FakeActor) -> None:
    """Exit 0 and a count on an intact chain with its triggers."""
    events = _record(actor, 4)
    output = _verify_command()
    assert output.startswith("audit chain intact: 4 events checked")
    assert f"4:{events[-1].hash}" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_username", "someone.else"),
        ("patient_id", 999),
        ("outcome", "denied"),
        ("detail", '{"n": 999}'),
        ("occurred_at", "2020-01-01 00:00:00"),
    ],
)
def test_altering_one_field_is_detected_and_names_the_event(
    actor: FakeActor, no_triggers: None, column: str, value: object
) -> None:
    """A direct edit of one row breaks that row's hash; verification names it."""
    events = _record(actor, 6)
    target = events[3]
    _sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, target.pk])  # noqa: S608

    report = verify_chain(batch_size=2)
    assert report.ok is False
    assert report.first_bad_sequence == 4
    assert report.first_bad_id == target.pk
    assert report.reason == "event 4: hash does not match its contents (row altered)"
    assert report.checked == 4
    with pytest.raises(CommandError, match=r"event 4: hash does not match its contents"):
        _verify_command()


@pytest.mark.django_db
def test_altering_a_row_and_recomputing_its_hash_is_detected_at_the_next_event(
    actor: FakeActor, no_triggers: None
) -> None:
    """An attacker who knows the algorithm re-hashes the row; the next link breaks instead."""
    events = _record(actor, 5)
    forged = AuditEvent.objects.values(*HASHED_FIELDS).get(pk=events[1].pk)
    forged["actor_username"] = "someone.else"
    _sql(
        f"UPDATE {TABLE} SET actor_username = %s, hash = %s WHERE id = %s",  # noqa: S608
        ["someone.else", event_hash(forged), events[1].pk],
    )
    report = verify_chain()
    assert report.first_bad_sequence == 3
    assert report.reason == "event 3: prev_hash does not match event 2 (row inserted or altered)"


@pytest.mark.django_db
def test_deleting_a_middle_row_is_detected(actor: FakeActor, no_triggers: None) -> None:
    """A gap in the sequence gives the deletion away."""
    events = _record(actor, 5)
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])  # noqa: S608

    report = verify_chain()
    assert report.ok is False
    assert (report.first_bad_sequence, report.first_bad_id) == (4, events[3].pk)
    assert report.reason == "event 4: sequence gap after 2 (row deleted)"
    with pytest.raises(CommandError, match=r"event 4: sequence gap after 2 \(row deleted\)"):
        _verify_command()


@pytest.mark.django_db
def test_deleting_the_first_row_is_detected(actor: FakeActor, no_triggers: None) -> None:
    """The chain must start at sequence 1."""
    events = _record(actor, 3)
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])  # noqa: S608
    report = verify_chain()
    assert report.reason == "event 2: sequence gap after 0 (row deleted)"


@pytest.mark.django_db
def test_inserting_a_forged_row_in_the_middle_is_detected(
    actor: FakeActor, no_triggers: None
) -> None:
    """Renumber the tail and slip in a well-formed row at 3: event 4 no longer links."""
    events = _record(actor, 5)
    for event in reversed(events[2:]):
        _sql(
            f"UPDATE {TABLE} SET sequence = sequence + 1 WHERE id = %s",  # noqa: S608
            [event.pk],
        )
    template = AuditEvent.objects.values(*HASHED_FIELDS).get(pk=events[1].pk)
    forged_values = {
        **template,
        "sequence": 3,
        "object_id": "404",
        "patient_id": 404,
        "prev_hash": events[1].hash,
    }
    AuditEvent.objects.create(**forged_values, hash=event_hash(forged_values))

    report = verify_chain()
    assert report.ok is False
    assert (report.first_bad_sequence, report.first_bad_id) == (4, events[2].pk)
    assert report.reason == "event 4: prev_hash does not match event 3 (row inserted or altered)"
    with pytest.raises(CommandError, match=r"event 4: prev_hash does not match event 3"):
        _verify_command()


@pytest.mark.django_db
def test_replacing_a_row_with_a_forgery_is_detected(actor: FakeActor, no_triggers: None) -> None:
    """Delete event 3 and insert a self-consistent event 3 in its place."""
    events = _record(actor, 4)
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])  # noqa: S608
    template = AuditEvent.objects.values(*HASHED_FIELDS).get(pk=events[1].pk)
    forged_values = {**template, "sequence": 3, "prev_hash": events[1].hash}
    AuditEvent.objects.create(**forged_values, hash=event_hash(forged_values))

    report = verify_chain()
    assert report.first_bad_sequence == 4
    assert report.reason == "event 4: prev_hash does not match event 3 (row inserted or altered)"


@pytest.mark.django_db
def test_altering_the_first_rows_prev_hash_is_detected(actor: FakeActor, no_triggers: None) -> None:
    """The first event must link to the genesis value."""
    events = _record(actor, 2)
    _sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE id = %s", ["f" * 64, events[0].pk])  # noqa: S608
    report = verify_chain()
    assert report.reason == "event 1: prev_hash is not the genesis value (row altered)"


@pytest.mark.django_db
def test_command_fails_when_the_triggers_are_gone(actor: FakeActor, no_triggers: None) -> None:
    """An intact chain without its triggers is not an intact audit trail."""
    _record(actor, 2)
    with pytest.raises(CommandError, match="triggers are missing or disabled"):
        _verify_command()


@pytest.mark.django_db
def test_command_expect_catches_a_removed_tail(actor: FakeActor) -> None:
    """A head recorded earlier proves the newest events were not cut off."""
    events = _record(actor, 4)
    anchor = f"4:{events[-1].hash}"
    out = StringIO()
    call_command("verify_audit_chain", "--expect", anchor, stdout=out)
    assert "intact: 4 events" in out.getvalue()
    with append_only_triggers_dropped():
        _sql(f"DELETE FROM {TABLE} WHERE sequence >= 3")  # noqa: S608
    assert verify_chain().ok is True  # what is left still chains
    with pytest.raises(CommandError, match="event 4 is missing"):
        call_command("verify_audit_chain", "--expect", anchor)
    with pytest.raises(CommandError, match="SEQUENCE:HASH"):
        call_command("verify_audit_chain", "--expect", "nonsense")


@pytest.mark.django_db
def test_command_exit_status_is_non_zero_when_broken(actor: FakeActor, no_triggers: None) -> None:
    """A broken chain ends the command with exit status 1, naming the event."""
    events = _record(actor, 3)
    _sql(f"UPDATE {TABLE} SET object_type = %s WHERE id = %s", ["note", events[1].pk])  # noqa: S608
    with pytest.raises(CommandError) as error:
        _verify_command()
    assert error.value.returncode == 1
    assert f"event id {events[1].pk}" in str(error.value)
    assert "event 2: hash does not match its contents (row altered)" in str(error.value)


# ---------------------------------------------------------------- concurrency


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database cannot be shared between threads",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    """Writers in several threads, each with its own connection, never fork the chain."""
    writers, per_writer = 6, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        writer = AuditActorFactory(user_id=index + 1, clinic_id=1)
        try:
            start.wait()
            for n in range(per_writer):
                audit_record(
                    actor=writer, action=AuditAction.READ, object_type="patient", object_id=n
                )
        except BaseException as error:  # reported to the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    report = verify_chain(batch_size=7)
    assert (report.ok, report.checked) == (True, writers * per_writer)
    users = set(AuditEvent.objects.values_list("actor_user_id", flat=True))
    assert users == set(range(1, writers + 1))
