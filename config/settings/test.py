"""pytest: fast hasher, in-process tasks, in-memory email."""

from __future__ import annotations

import os

from config.settings.base import *

DEBUG = False
SECRET_KEY = "keel-test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
KEEL_DEMO = True
# Pages are served from app directories; collectstatic is not needed in tests.
STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# `make pytest` and `make test-browser` set KEEL_TEST_SQLITE_FILE (pytest-django adds a suffix
# per xdist worker). The browser tests drive a threaded live server: an in-memory SQLite
# database shared between threads locks whole tables and fails at once ("table is locked")
# when two requests overlap (an htmx search still in flight as "Sign out" is pressed); a file
# database in WAL mode waits for the lock, as the demo and a single-clinic install do.
# A bare `pytest` keeps the in-memory database.
_sqlite_file = os.environ.get("KEEL_TEST_SQLITE_FILE", "")
if _sqlite_file and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": _sqlite_file}
