"""System checks for the settings the audit trail relies on."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import connections

from keel.audit.chain import audit_db_alias


@register()
def check_audit_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """SQLite must open transactions IMMEDIATE; the proxy count must be a whole number."""
    messages: list[CheckMessage] = []
    connection = connections[audit_db_alias()]
    if connection.vendor == "sqlite":
        mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
        if mode != "IMMEDIATE":
            messages.append(
                Warning(
                    "SQLite is not configured with transaction_mode IMMEDIATE.",
                    hint=(
                        "Concurrent audit writes then fail with 'database is locked' or a "
                        "unique-sequence error instead of waiting their turn (docs/audit.md)."
                    ),
                    id="keel_audit.W001",
                )
            )
    proxies = getattr(settings, "KEEL_TRUSTED_PROXY_COUNT", 0)
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        messages.append(
            Error(
                "KEEL_TRUSTED_PROXY_COUNT must be a whole number of proxies (0 or more).",
                hint="Audit rows would otherwise record the proxy's address.",
                id="keel_audit.E001",
            )
        )
    return messages
