"""Configuration from the environment, and the production deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from config.env import database_config, env_bool

ROOT = Path(__file__).resolve().parents[3]


def test_database_url_accepts_an_absolute_sqlite_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/k.sqlite3")
    config = database_config()
    assert (config["ENGINE"], config["NAME"]) == (
        "django.db.backends.sqlite3",
        f"{tmp_path}/k.sqlite3",
    )
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_accepts_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://keel:pw@db.internal:5433/keel")
    config = database_config()
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "keel",
    )


def test_database_connections_persist_for_a_minute_unless_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://keel:pw@db.internal:5433/keel")
    monkeypatch.delenv("KEEL_DB_CONN_MAX_AGE", raising=False)
    config = database_config()
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    monkeypatch.setenv("KEEL_DB_CONN_MAX_AGE", "0")  # one connection per request
    assert database_config()["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("KEEL_DB_CONN_MAX_AGE", "a minute")
    with pytest.raises(ValueError, match="KEEL_DB_CONN_MAX_AGE"):
        database_config()


def test_sqlite_connections_never_persist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/k.sqlite3")
    monkeypatch.setenv("KEEL_DB_CONN_MAX_AGE", "600")
    assert database_config()["CONN_MAX_AGE"] == 0


def test_database_url_rejects_other_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@127.0.0.1/keel")
    with pytest.raises(ValueError, match="unsupported database engine"):
        database_config()


def test_without_database_url_keel_uses_var_keel_sqlite3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_config()["NAME"].endswith("var/keel.sqlite3")


def test_boolean_variables_reject_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ValueError, match="DEBUG"):
        env_bool("DEBUG", default=False)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # A throwaway database: the checks read the database (keel.W010), and a developer's
    # var/keel.sqlite3 (after `make demo`) must not change what this test sees.
    full_env["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='keel-check-')}/check.sqlite3"
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="keel.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_a_missing_secret_key() -> None:
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers() -> None:
    response = Client().get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
