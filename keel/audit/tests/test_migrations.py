from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from keel.audit.chain import missing_append_only_triggers


def _migrate_audit_to(name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("audit", name)])


@pytest.mark.django_db(transaction=True)
def test_trigger_migration_reverses_and_applies_again() -> None:
    """0002 can be unapplied (triggers gone) and applied again (triggers back)."""
    assert missing_append_only_triggers() == []
    try:
        _migrate_audit_to("0001_initial")
        assert missing_append_only_triggers() != []
    finally:
        _migrate_audit_to("0002_append_only_triggers")
    assert missing_append_only_triggers() == []
