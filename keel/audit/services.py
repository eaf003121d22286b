"""Writing audit events: the calls gates and services make (docs/audit.md).

Gates record reads (one event per patient record returned, list pages
included); services record writes; denied attempts go through
``audit_denied``, which makes them survive the rollback of the request.

Who acted comes from an ``AuditActor`` (``keel.accounts.selectors.Actor``
satisfies it); where the request came from comes from
``keel.audit.context.current()``, set by ``AuditContextMiddleware``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.utils import timezone

from keel.audit import context
from keel.audit.chain import append_events, audit_db_alias
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome

logger = logging.getLogger(__name__)

#: ``actor_username`` and ``actor_role`` of events with no acting user.
SYSTEM_USERNAME = "system"
SYSTEM_ROLE = "system"
#: ``actor_role`` of events that name a username but no authenticated actor
#: (for example a failed login).
ANONYMOUS_ROLE = "anonymous"
#: Recorded for address, user agent and request id outside a web request.
NO_VALUE = "-"

_FLOAT_LIMIT = 1e15


class AuditActor(Protocol):
    """Who acts; ``keel.accounts.selectors.Actor`` satisfies this."""

    @property
    def user_id(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def role_label(self) -> str: ...

    @property
    def clinic_id(self) -> int | None: ...


def _field_length(name: str) -> int:
    field = AuditEvent._meta.get_field(name)
    max_length = field.max_length if isinstance(field, models.Field) else None
    if max_length is None:
        raise ValueError(f"AuditEvent.{name} has no max_length")
    return max_length


def _clip(name: str, value: str) -> str:
    """Cut ``value`` to the column's length, so the stored text is the hashed text."""
    return value[: _field_length(name)]


def _plain_detail(detail: Mapping[str, object] | None) -> dict[str, object]:
    """Return ``detail`` as plain JSON values (what the database will give back).

    Dates, UUIDs and decimals become strings; NaN and non-serializable values
    are refused. Normalizing before hashing keeps the stored row and its hash
    in agreement on every database.
    """
    if detail is None:
        return {}
    text = json.dumps(dict(detail), cls=DjangoJSONEncoder, allow_nan=False)
    plain = json.loads(text)
    if not isinstance(plain, dict):
        raise TypeError("detail must be a mapping")
    _check_floats(plain)
    return plain


def _check_floats(value: object) -> None:
    """Refuse floats that PostgreSQL's jsonb would give back as integers.

    jsonb stores numbers as ``numeric`` and prints 1e16 as
    10000000000000000, which reads back as an int and would no longer match
    the hash. Smaller floats survive the round trip unchanged.
    """
    if isinstance(value, float) and abs(value) >= _FLOAT_LIMIT:
        raise ValueError(f"detail number {value!r} is too large for exact JSON; pass a string")
    if isinstance(value, dict):
        for item in value.values():
            _check_floats(item)
    elif isinstance(value, list):
        for item in value:
            _check_floats(item)


def _build_event(
    *,
    actor: AuditActor | None,
    action: AuditAction,
    object_type: str,
    object_id: str | int | None,
    patient_id: int | None,
    outcome: AuditOutcome,
    clinic_id: int | None,
    detail: Mapping[str, object] | None,
    username: str | None,
    occurred_at: dt.datetime | None = None,
) -> AuditEvent:
    if actor is not None and username is not None:
        raise ValueError("pass either actor or username, not both")
    if not object_type:
        raise ValueError("object_type is required")
    request = context.current()
    if actor is not None:
        actor_user_id: int | None = actor.user_id
        actor_username = actor.username
        actor_role = actor.role_label
        if clinic_id is None:
            clinic_id = actor.clinic_id
    elif username is not None:
        actor_user_id, actor_username, actor_role = None, username, ANONYMOUS_ROLE
    else:
        actor_user_id, actor_username, actor_role = None, SYSTEM_USERNAME, SYSTEM_ROLE
    return AuditEvent(
        occurred_at=occurred_at if occurred_at is not None else timezone.now(),
        actor_user_id=actor_user_id,
        actor_username=_clip("actor_username", actor_username),
        actor_role=_clip("actor_role", actor_role),
        clinic_id=clinic_id,
        action=AuditAction(action).value,
        object_type=_clip("object_type", object_type),
        object_id=_clip("object_id", "" if object_id is None else str(object_id)),
        patient_id=patient_id,
        outcome=AuditOutcome(outcome).value,
        client_address=_clip("client_address", request.client_address or NO_VALUE),
        user_agent=_clip("user_agent", request.user_agent or NO_VALUE),
        request_id=_clip("request_id", request.request_id or NO_VALUE),
        detail=_plain_detail(detail),
    )


def audit_record(
    *,
    actor: AuditActor | None,
    action: AuditAction,
    object_type: str,
    object_id: str | int | None = None,
    patient_id: int | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    clinic_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Record one event now and return it, chained and saved.

    ``clinic_id`` defaults to ``actor.clinic_id``. With no actor the event is
    recorded as user "system", role "system"; pass ``username`` instead of an
    actor to name an unauthenticated user (a failed login), recorded with
    role "anonymous". ``detail`` is plain JSON context and never carries
    names, dates of birth, MRNs or clinical free text.

    The event joins the caller's transaction: if that rolls back, the event
    goes with it, as the action it records did. Use ``audit_denied`` for
    refusals, which must outlive the rollback.
    """
    event = _build_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        outcome=outcome,
        clinic_id=clinic_id,
        detail=detail,
        username=username,
    )
    return append_events([event])[0]


def audit_record_many(
    *,
    actor: AuditActor | None,
    action: AuditAction,
    object_type: str,
    objects: Sequence[tuple[str | int, int | None]],
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    clinic_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    username: str | None = None,
) -> list[AuditEvent]:
    """Record one event per ``(object_id, patient_id)`` pair, e.g. the rows of a list page.

    Takes the chain lock once and inserts all events in one statement; the
    events share one timestamp. Returns them in the order given.
    """
    if not objects:
        return []
    occurred_at = timezone.now()
    events = [
        _build_event(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            patient_id=patient_id,
            outcome=outcome,
            clinic_id=clinic_id,
            detail=detail,
            username=username,
            occurred_at=occurred_at,
        )
        for object_id, patient_id in objects
    ]
    return append_events(events)


# ---------------------------------------------------------------- denied attempts

_pending: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "keel_audit_pending_denied", default=None
)


def _in_transaction() -> bool:
    """True inside a ``transaction.atomic()`` block on the audit database.

    The atomic blocks Django's ``TestCase`` opens around each test stand in
    for autocommit and are not counted, so tests see what production does.
    """
    connection = connections[audit_db_alias()]
    if not connection.in_atomic_block:
        return False
    blocks: list[object] = getattr(connection, "atomic_blocks", [])
    if not blocks:
        return True
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def _pending_list() -> list[AuditEvent]:
    pending = _pending.get()
    if pending is None:
        pending = []
        _pending.set(pending)
    return pending


def audit_denied(
    *,
    actor: AuditActor | None,
    action: AuditAction,
    object_type: str,
    object_id: str | int | None = None,
    patient_id: int | None = None,
    clinic_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    username: str | None = None,
) -> None:
    """Record a refused attempt so that it survives the rollback of the request.

    Outside ``transaction.atomic()`` the event is written at once. Inside,
    it is kept in a per-request buffer and written by ``flush_pending()``
    once the transaction is over: ``AuditContextMiddleware`` flushes after
    every request (also when the view raised), and a commit of the
    outermost block flushes too. The event keeps the time and request
    context of the attempt. Arguments are those of ``audit_record``.
    """
    event = _build_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED,
        clinic_id=clinic_id,
        detail=detail,
        username=username,
    )
    if not _in_transaction():
        append_events([event])
        return
    _pending_list().append(event)
    transaction.on_commit(flush_pending, using=audit_db_alias())


def pending_count() -> int:
    """How many denied events wait for ``flush_pending``."""
    pending = _pending.get()
    return 0 if pending is None else len(pending)


def flush_pending() -> int:
    """Write the buffered denied events; return how many were written.

    Call it outside any ``transaction.atomic()`` block. Inside one the
    events stay buffered (writing them there would let a rollback take
    them), and 0 is returned.
    """
    pending = _pending.get()
    if not pending:
        return 0
    if _in_transaction():
        logger.warning("audit: flush_pending called inside a transaction; %s kept", len(pending))
        return 0
    events = list(pending)
    append_events(events)
    # Only forget events once they are stored: a failed write keeps them.
    del pending[: len(events)]
    return len(events)


@contextmanager
def pending_scope() -> Iterator[None]:
    """Give a request or task its own denied-event buffer and flush it at the end.

    ``AuditContextMiddleware`` wraps every request in it; background tasks
    and commands that call ``audit_denied`` inside transactions use it too::

        with pending_scope():
            run_the_task()
    """
    token = _pending.set([])
    try:
        yield
    except BaseException:
        # Keep the original error; a failed flush is logged under it.
        try:
            flush_pending()
        except Exception:
            logger.exception("audit: could not write denied events after an error")
        raise
    else:
        flush_pending()
    finally:
        left = pending_count()
        if left:
            logger.error("audit: %s denied events could not be written", left)
        _pending.reset(token)
