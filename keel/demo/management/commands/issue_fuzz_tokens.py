"""manage.py issue_fuzz_tokens: credentials for every demo role, for the API fuzzer (scripts/fuzz.py).

Staff get a personal access token with every scope (a token never exceeds its
owner's role, so each one is exactly that role's reach). The psychiatrist of
record holds no clinic membership and cannot hold a token; she gets a login
session plus a CSRF token, as the browser would. Only for demo installs
(``KEEL_DEMO``): it refuses to run anywhere else.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY

from keel.accounts.catalogue import TokenScope
from keel.accounts.models import Clinic, User
from keel.accounts.services import api_token_create
from keel.demo import data

_CSRF_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _verified_device_id(user: User) -> str | None:
    """The persistent id of the user's confirmed authenticator, installing one if needed.

    A session that passed two-step sign-in records it (django-otp); without one,
    a role that must use a second factor would only ever see 401. None when
    Keel has no authenticator model.
    """
    try:
        models = importlib.import_module("keel.accounts.mfa_models")
        services = importlib.import_module("keel.accounts.mfa_services")
    except ImportError:
        return None
    device = models.TotpAuthenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        device = services.totp_device_install(user=user, secret_base32=secret, name="fuzz")
    return str(device.persistent_id)


def _session_for(user: User) -> dict[str, str]:
    """A server-side login session for ``user`` (second factor passed) and a CSRF secret."""
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    session = store_class()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device_id = _verified_device_id(user)
    if device_id is not None:
        session[DEVICE_ID_SESSION_KEY] = device_id
    session.create()
    csrf = get_random_string(CSRF_SECRET_LENGTH, _CSRF_CHARS)
    return {
        "kind": "session",
        "username": user.get_username(),
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
        "csrf": csrf,
    }


class Command(BaseCommand):
    help = "Issue API credentials for every demo role (demo installs only) and write them as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="JSON file to write (mode 0600)")
        parser.add_argument("--days", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEEL_DEMO", False):
            raise CommandError("issue_fuzz_tokens runs only on demo installs (KEEL_DEMO).")
        clinic = Clinic.objects.filter(slug=data.CLINIC_SLUG).first()
        if clinic is None:
            raise CommandError("Load the demo first: manage.py load_demo")
        credentials: dict[str, dict[str, str]] = {}
        for person in data.STAFF:
            user = User.objects.get(username=person.username)
            issued = api_token_create(
                user=user,
                clinic=clinic,
                name="fuzz",
                scopes=[s.value for s in TokenScope],
                days=options["days"],
            )
            credentials[str(person.role)] = {
                "kind": "token",
                "username": person.username,
                "token": issued.raw,
            }
        reyes = User.objects.get(username=data.PSYCHIATRIST_USERNAME)
        credentials["psychiatrist_of_record"] = _session_for(reyes)
        out = Path(options["out"])
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle, indent=2)
        self.stdout.write(f"Wrote credentials for {len(credentials)} roles to {out}.")
