"""Keys for second-factor secrets: TOTP secrets encrypted at rest, recovery codes keyed-hashed.

Both keys are derived from ``SECRET_KEY`` with HKDF-SHA256 (one label each), so
no new secret has to be managed. ``SECRET_KEY_FALLBACKS`` keep working: a TOTP
secret encrypted under an old key still decrypts (and is re-encrypted under the
current key the next time it verifies a code), and a recovery code hashed under
an old key still matches. Remove an old key from the fallbacks only after every
user has signed in once since the rotation, or ask them to enrol again.

TOTP secrets must be reversible (the server computes the expected code), so they
are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). Recovery codes are never
needed back, so only an HMAC-SHA256 of each is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"keel.accounts.mfa"
_TOTP_INFO = b"totp-secret-encryption-v1"
_RECOVERY_INFO = b"recovery-code-hmac-v1"
RECOVERY_DIGEST_LENGTH = 16  # django-otp's StaticToken.token holds up to 16 characters


class SecretUnreadable(Exception):
    """A stored TOTP secret cannot be decrypted with SECRET_KEY or any fallback."""


def _server_keys() -> list[str]:
    fallbacks = [str(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [str(settings.SECRET_KEY), *fallbacks]


def _derive(server_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=info).derive(server_key.encode())


def _fernet(server_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(server_key, _TOTP_INFO)))


def secret_encrypt(raw: bytes) -> str:
    """Encrypt a TOTP secret under the current SECRET_KEY."""
    return _fernet(_server_keys()[0]).encrypt(raw).decode("ascii")


def secret_decrypt(token: str) -> bytes:
    """Decrypt a TOTP secret with SECRET_KEY or one of its fallbacks."""
    fernet = MultiFernet([_fernet(key) for key in _server_keys()])
    try:
        return fernet.decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("TOTP secret cannot be decrypted with the configured keys") from exc


def secret_needs_rotation(token: str) -> bool:
    """True when ``token`` was not encrypted under the current SECRET_KEY."""
    try:
        _fernet(_server_keys()[0]).decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        return True
    return False


def recovery_code_normalize(code: str) -> str:
    """Lower case, without spaces or hyphens (people copy codes in many ways)."""
    return "".join(ch for ch in code.strip().lower() if ch not in " -")


def recovery_code_digests(code: str) -> list[str]:
    """The stored forms ``code`` may have: one per server key, current key first."""
    normalized = recovery_code_normalize(code).encode()
    digests = []
    for key in _server_keys():
        mac = hmac.new(_derive(key, _RECOVERY_INFO), normalized, hashlib.sha256).digest()
        digests.append(base64.b32encode(mac).decode("ascii").lower()[:RECOVERY_DIGEST_LENGTH])
    return digests
