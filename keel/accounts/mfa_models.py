"""The TOTP authenticator device, with its secret encrypted at rest.

django-otp's own ``otp_totp.TOTPDevice`` stores the secret as plain hex. This
device keeps django-otp's device contract (``verify_token``, throttling,
``persistent_id`` for the session), so django-otp's middleware and ``login``
work with it unchanged, but stores only the Fernet-encrypted secret
(``keel.accounts.mfa_crypto``). Imported by ``keel.accounts.models`` so that
Django registers it with the accounts app.
"""

from __future__ import annotations

import logging
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from keel.accounts.mfa_crypto import (
    SecretUnreadable,
    secret_decrypt,
    secret_encrypt,
    secret_needs_rotation,
)

logger = logging.getLogger(__name__)

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
TOTP_TOLERANCE_STEPS = 1  # accept the previous and the next 30-second code too


class TotpAuthenticator(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """An authenticator app registered by one user (RFC 6238, SHA-1, 6 digits, 30 s)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",  # no reverse accessor: django-otp is untyped
        help_text="The user that this device belongs to.",
    )
    encrypted_key = models.TextField(
        help_text="The TOTP secret, Fernet-encrypted under a key derived from SECRET_KEY."
    )
    last_t = models.BigIntegerField(
        default=-1,
        help_text="Time step of the last accepted code; a code is never accepted twice.",
    )

    class Meta(Device.Meta):  # type: ignore[misc]
        db_table = "accounts_totp_authenticator"
        verbose_name = "TOTP authenticator"

    @property
    def bin_key(self) -> bytes:
        """The secret as bytes (decrypted on demand, never stored in clear)."""
        return secret_decrypt(self.encrypted_key)

    def set_key(self, raw: bytes) -> None:
        """Store ``raw`` encrypted (the caller saves)."""
        self.encrypted_key = secret_encrypt(raw)

    @property
    def base32_key(self) -> str:
        """The secret as people type it into an authenticator app (no padding)."""
        return b32encode(self.bin_key).decode("ascii").rstrip("=")

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URI authenticator apps read (also encoded in the QR code)."""
        issuer = str(getattr(settings, "KEEL_MFA_ISSUER", "Keel")).replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": self.base32_key,
                "algorithm": "SHA1",
                "digits": TOTP_DIGITS,
                "period": TOTP_STEP_SECONDS,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"

    def get_throttle_factor(self) -> int:
        """Seconds to wait after the first failure; doubles with each further failure."""
        return int(getattr(settings, "KEEL_MFA_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        """Accept a current code once; failures back off exponentially (django-otp throttling).

        Call inside a transaction on a row locked with ``select_for_update``.
        """
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        text = str(token).strip().replace(" ", "")
        verified = False
        if text.isascii() and text.isdigit() and len(text) == TOTP_DIGITS:
            try:
                key = self.bin_key
            except SecretUnreadable:
                # SECRET_KEY changed without keeping the old one in SECRET_KEY_FALLBACKS.
                logger.warning("TOTP authenticator %s: secret unreadable; reset it", self.pk)
                return False
            totp = TOTP(key, TOTP_STEP_SECONDS, 0, TOTP_DIGITS, 0)
            totp.time = time.time()
            verified = bool(totp.verify(int(text), TOTP_TOLERANCE_STEPS, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                if secret_needs_rotation(self.encrypted_key):
                    self.set_key(key)
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified
