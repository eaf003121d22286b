"""The hash chain over audit events: appending under a lock, and verifying.

Each event stores ``prev_hash`` (the previous event's ``hash``; 64 zeros for
the first event) and ``hash``::

    hash = sha256(prev_hash + canonical_json(every stored field except id and hash))

The canonical form is ``json.dumps`` with sorted keys, compact separators,
ASCII only, and datetimes as ISO-8601 UTC with microseconds. ``id`` is left
out because the database assigns it after the hash is computed; ``sequence``
is the event's identity in the chain.

Appending takes a short lock so that two writers cannot both read the same
head and fork the chain:

* PostgreSQL: ``pg_advisory_xact_lock`` inside ``transaction.atomic()``;
  released when the outermost transaction ends. The head is read after the
  lock is taken, which under READ COMMITTED (Django's default) sees every
  append committed before.
* SQLite: Keel opens every transaction with ``BEGIN IMMEDIATE`` (the
  ``transaction_mode`` option set in ``config/env.py``), so the atomic block
  itself holds the database's single write lock before the head is read.

The PostgreSQL lock lasts until COMMIT, so every other appender waits for the rest
of the transaction: a service that does slow work in the same transaction (the
alert rules after a rating) records its audit event last.

The unique constraint on ``sequence`` is a last line: a fork would fail with
an IntegrityError rather than be stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from keel.audit.models import AuditEvent

GENESIS_HASH = "0" * 64

#: Key of the PostgreSQL advisory lock that serializes appends ("KEELAUDT").
ADVISORY_LOCK_KEY = 0x4B45454C41554454

#: The stored fields that the hash covers, in no particular order (the JSON
#: keys are sorted). Adding a column to the model means adding it here and
#: deciding how events stored before the change verify.
HASHED_FIELDS: tuple[str, ...] = (
    "sequence",
    "occurred_at",
    "actor_user_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "outcome",
    "client_address",
    "user_agent",
    "request_id",
    "detail",
    "prev_hash",
)

#: Names of the append-only triggers installed by migration 0002, per vendor.
APPEND_ONLY_TRIGGERS: dict[str, frozenset[str]] = {
    "postgresql": frozenset({"audit_auditevent_append_only", "audit_auditevent_no_truncate"}),
    "sqlite": frozenset({"audit_auditevent_no_update", "audit_auditevent_no_delete"}),
}

DEFAULT_BATCH_SIZE = 2000


def audit_db_alias() -> str:
    """The database alias audit events are written to."""
    return router.db_for_write(AuditEvent) or DEFAULT_DB_ALIAS


def _canonical_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical_bytes(values: Mapping[str, object]) -> bytes:
    """Serialize the hashed fields of one event deterministically.

    ``values`` maps each name in ``HASHED_FIELDS`` to its stored value, as
    read back from the database (plain ints, strings, None, a JSON dict and
    an aware datetime).
    """
    document = {name: _canonical_value(values[name]) for name in HASHED_FIELDS}
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def event_hash(values: Mapping[str, object]) -> str:
    """Return the hex SHA-256 that chains an event: sha256(prev_hash + canonical JSON)."""
    prev_hash = values["prev_hash"]
    if not isinstance(prev_hash, str):
        raise TypeError("prev_hash must be a string")
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(values)).hexdigest()


def _event_values(event: AuditEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _lock_chain(connection: BaseDatabaseWrapper) -> None:
    """Serialize appenders until the surrounding transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: BEGIN IMMEDIATE already holds the write lock (module docstring).
    # On a connection without it, the unique sequence refuses a fork instead.


def append_events(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Chain and insert unsaved ``events`` in order, under the chain lock.

    Fills ``sequence``, ``prev_hash`` and ``hash`` on each event and returns
    them saved. Uses one lock and one INSERT for the whole batch.
    """
    if not events:
        return []
    alias = audit_db_alias()
    # Inside the caller's transaction no savepoint is needed: a failure here fails the
    # whole transaction anyway (the event and what it records go together).
    with transaction.atomic(using=alias, savepoint=False):
        _lock_chain(connections[alias])
        head = (
            AuditEvent.objects.using(alias)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
        sequence, prev_hash = head if head is not None else (0, GENESIS_HASH)
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.prev_hash = prev_hash
            event.hash = event_hash(_event_values(event))
            prev_hash = event.hash
        return AuditEvent.objects.using(alias).bulk_create(events)


@dataclass(frozen=True)
class ChainReport:
    """Result of ``verify_chain``.

    ``checked`` counts the events examined, including the first bad one.
    On failure ``first_bad_sequence``/``first_bad_id`` name the first event
    whose link is broken and ``reason`` says how. ``head_sequence`` and
    ``head_hash`` describe the last good event (for an intact chain, the
    newest one): record them elsewhere to detect later tail truncation.
    """

    ok: bool
    checked: int
    first_bad_sequence: int | None = None
    first_bad_id: int | None = None
    reason: str = ""
    head_sequence: int = 0
    head_hash: str = GENESIS_HASH


def _iter_rows(alias: str, batch_size: int) -> Iterator[dict[str, object]]:
    """Yield events in sequence order, ``batch_size`` at a time (keyset pagination)."""
    last = 0
    fields = ("id", "hash", *HASHED_FIELDS)
    while True:
        batch = list(
            AuditEvent.objects.using(alias)
            .filter(sequence__gt=last)
            .order_by("sequence")
            .values(*fields)[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last_sequence = batch[-1]["sequence"]
        if not isinstance(last_sequence, int):
            raise TypeError("sequence must be an integer")
        last = last_sequence


def _as_int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def verify_chain(*, batch_size: int = DEFAULT_BATCH_SIZE) -> ChainReport:
    """Walk the whole chain in sequence order; stop at the first broken link.

    Detects an altered row (its hash no longer matches its contents), a
    deleted row (a gap in the sequence) and an inserted or replaced row (the
    next event's ``prev_hash`` no longer matches). Reads ``batch_size`` rows
    at a time, so memory stays flat however long the trail is.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    checked = 0
    prev_sequence = 0
    prev_hash = GENESIS_HASH
    for row in _iter_rows(audit_db_alias(), batch_size):
        checked += 1
        sequence = _as_int(row["sequence"])
        row_id = _as_int(row["id"])
        reason = ""
        if sequence != prev_sequence + 1:
            reason = f"event {sequence}: sequence gap after {prev_sequence} (row deleted)"
        elif row["prev_hash"] != prev_hash:
            reason = (
                f"event {sequence}: prev_hash does not match event {prev_sequence} "
                "(row inserted or altered)"
                if prev_sequence
                else f"event {sequence}: prev_hash is not the genesis value (row altered)"
            )
        elif row["hash"] != event_hash(row):
            reason = f"event {sequence}: hash does not match its contents (row altered)"
        if reason:
            return ChainReport(
                ok=False,
                checked=checked,
                first_bad_sequence=sequence,
                first_bad_id=row_id,
                reason=reason,
                head_sequence=prev_sequence,
                head_hash=prev_hash,
            )
        prev_sequence = sequence
        stored_hash = row["hash"]
        if not isinstance(stored_hash, str):
            raise TypeError("hash must be a string")
        prev_hash = stored_hash
    return ChainReport(ok=True, checked=checked, head_sequence=prev_sequence, head_hash=prev_hash)


def missing_append_only_triggers() -> list[str]:
    """Names of append-only triggers that are absent or disabled on the audit table."""
    alias = audit_db_alias()
    connection = connections[alias]
    expected = APPEND_ONLY_TRIGGERS.get(connection.vendor)
    if expected is None:
        return [f"no append-only triggers are defined for {connection.vendor}"]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [connection.ops.quote_name(table)],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
        present = {name for (name,) in cursor.fetchall()}
    return sorted(expected - present)
