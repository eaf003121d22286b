"""Test helpers: take the append-only triggers off and put them back.

Only tests use these, to play an attacker with direct database access (who
could drop a trigger too) or to let Django flush the test database. They
run the SQL of the real migration, so the triggers under test are the ones
production gets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

from django.db import connections
from django.test import TransactionTestCase

from keel.audit.chain import audit_db_alias
from keel.audit.models import AuditEvent


def _migration() -> ModuleType:
    """The migration that owns the trigger SQL (its name starts with a digit)."""
    return importlib.import_module("keel.audit.migrations.0002_append_only_triggers")


def drop_append_only_triggers() -> None:
    """Remove the triggers from the audit table (inside a test's transaction if any)."""
    _migration().remove(connections[audit_db_alias()], AuditEvent._meta.db_table)


def install_append_only_triggers() -> None:
    """Create the triggers again; safe to call when they already exist."""
    _migration().install(connections[audit_db_alias()], AuditEvent._meta.db_table)


@contextmanager
def append_only_triggers_dropped() -> Iterator[None]:
    """Run a block with the triggers off, and restore them afterwards."""
    drop_append_only_triggers()
    try:
        yield
    finally:
        install_append_only_triggers()


def flushable_fixture_teardown(
    original: Callable[[TransactionTestCase], None],
) -> Callable[[TransactionTestCase], None]:
    """Wrap ``TransactionTestCase._fixture_teardown`` so its flush may empty the audit table.

    A transactional test (``django_db(transaction=True)``, ``live_server``)
    that wrote audit events ends with Django emptying every table, which the
    triggers refuse. The wrapper lifts them for the flush only.
    """

    def _fixture_teardown(self: TransactionTestCase) -> None:
        with append_only_triggers_dropped():
            original(self)

    return _fixture_teardown
