"""Test helpers: take the ledger's append-only triggers off and put them back.

They run the SQL of the real migration, so the triggers under test are the
ones production gets.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from django.db import connection

from keel.inventory.models import LedgerEntry


def _migration() -> ModuleType:
    return importlib.import_module("keel.inventory.migrations.0002_append_only_triggers")


def drop_ledger_triggers() -> None:
    """Remove the triggers from the ledger table."""
    _migration().remove(connection, LedgerEntry._meta.db_table)


def install_ledger_triggers() -> None:
    """Create the triggers again; safe when they already exist."""
    _migration().install(connection, LedgerEntry._meta.db_table)


@contextmanager
def ledger_triggers_dropped() -> Iterator[None]:
    """Run a block with the ledger triggers off, and restore them afterwards."""
    drop_ledger_triggers()
    try:
        yield
    finally:
        install_ledger_triggers()
