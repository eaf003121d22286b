"""pytest plugin: let transactional tests that wrote audit events flush the database.

Enable it project-wide from the root ``conftest.py``::

    pytest_plugins = ["keel.audit.tests.plugin"]

Without it, a ``transaction=True`` or ``live_server`` test that records
audit events fails in teardown, because Django's flush (DELETE on SQLite,
TRUNCATE on PostgreSQL) hits the append-only triggers.

The controlled-substance ledger's table is append-only the same way; its own
plugin is loaded with this one, so every transactional test can flush it too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import TransactionTestCase

from keel.audit.tests.triggers import flushable_fixture_teardown

pytest_plugins = ["keel.inventory.tests.plugin"]


@pytest.fixture(autouse=True, scope="session")
def audit_flushable_transaction_tests() -> Iterator[None]:
    """Lift the audit triggers around each transactional test's final flush."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            TransactionTestCase,
            "_fixture_teardown",
            flushable_fixture_teardown(TransactionTestCase._fixture_teardown),
        )
        yield
