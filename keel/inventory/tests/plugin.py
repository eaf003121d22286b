"""pytest plugin: let transactional tests that wrote ledger entries flush the database.

Loaded for the whole suite by ``keel.audit.tests.plugin`` (its ``pytest_plugins``),
which the root ``conftest.py`` registers: browser and live-server tests of
other apps create ledger rows (``dose_start`` records the administration), and
Django's flush (DELETE on SQLite, TRUNCATE on PostgreSQL) hits the triggers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import TransactionTestCase

from keel.inventory.tests.triggers import ledger_triggers_dropped


def _flushable(
    original: Callable[[TransactionTestCase], None],
) -> Callable[[TransactionTestCase], None]:
    def _fixture_teardown(self: TransactionTestCase) -> None:
        with ledger_triggers_dropped():
            original(self)

    return _fixture_teardown


@pytest.fixture(autouse=True, scope="session")
def ledger_flushable_transaction_tests() -> Iterator[None]:
    """Lift the ledger triggers around each transactional test's final flush."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            TransactionTestCase,
            "_fixture_teardown",
            _flushable(TransactionTestCase._fixture_teardown),
        )
        yield
