"""Test helpers for two-step sign-in: a known TOTP secret, current codes, verified sessions."""

from __future__ import annotations

import base64
import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp

from keel.accounts.mfa_models import TOTP_DIGITS, TOTP_STEP_SECONDS, TotpAuthenticator
from keel.accounts.mfa_services import totp_device_install
from keel.accounts.models import User

# A fixed secret for test authenticators (never used outside tests).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret_base32: str, *, at: float | None = None, step_offset: int = 0) -> str:
    """The code an authenticator app with ``secret_base32`` shows at ``at`` (default: now)."""
    padded = secret_base32.replace(" ", "").upper()
    padded += "=" * (-len(padded) % 8)
    now = time.time() if at is None else at
    counter = int(now) // TOTP_STEP_SECONDS + step_offset
    return f"{hotp(base64.b32decode(padded), counter, digits=TOTP_DIGITS):0{TOTP_DIGITS}d}"


def authenticator_for(user: User, secret_base32: str = TEST_TOTP_SECRET) -> TotpAuthenticator:
    """The user's confirmed authenticator, installed with ``secret_base32`` if there is none."""
    device: TotpAuthenticator | None = TotpAuthenticator.objects.filter(
        user=user, confirmed=True
    ).first()
    if device is None:
        device = totp_device_install(user=user, secret_base32=secret_base32, name="Test app")
    return device


def mark_session_verified(client: Client, user: User) -> None:
    """Record in ``client``'s session that ``user`` passed the second factor (like force_login)."""
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
