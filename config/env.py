"""The one place that reads the process environment (STYLE.md section 1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "keel.sqlite3"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable ``name`` or ``default``."""
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    """Return a boolean variable; an unrecognised value is an error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, *, default: int) -> int:
    """Return an integer variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def database_config() -> dict[str, Any]:
    """Parse ``DATABASE_URL`` (sqlite:///ABSOLUTE/PATH or postgres://...).

    Without it Keel uses the embedded SQLite file ``var/keel.sqlite3``.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            # PostgreSQL: persistent connections (seconds; 0 = one connection per request):
            # opening one costs more than most of Keel's requests.
            conn_max_age=env_int("KEEL_DB_CONN_MAX_AGE", default=60),
            conn_health_checks=True,
        )
    )
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # SQLite opens a file, which is cheap; a connection kept by each server thread
        # would only hold table locks between requests (seen with the threaded test server).
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so two
        # requests cannot both read the audit chain head and fork it.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine in {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}:
        config["ENGINE"] = "django.db.backends.postgresql"
    else:
        raise ValueError(f"DATABASE_URL: unsupported database engine {engine!r}")
    return config
