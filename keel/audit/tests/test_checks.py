from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from keel.audit.checks import check_audit_settings


def test_default_settings_pass_the_audit_checks() -> None:
    """The project's own settings satisfy the audit trail."""
    assert check_audit_settings() == []


@pytest.mark.parametrize("value", [-1, "2", True, 1.5])
def test_a_bad_proxy_count_is_an_error(value: object) -> None:
    """A string or negative proxy count would silently record the wrong address."""
    with override_settings(KEEL_TRUSTED_PROXY_COUNT=value):
        assert [m.id for m in check_audit_settings()] == ["keel_audit.E001"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite setting")
def test_sqlite_without_immediate_transactions_is_warned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without BEGIN IMMEDIATE, concurrent appends fail instead of queueing."""
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    assert [m.id for m in check_audit_settings()] == ["keel_audit.W001"]
