"""Writes for the second factor: enrol an authenticator app, check codes, recovery codes."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from keel.accounts.mfa import RECOVERY_CODE_COUNT, mfa_required_by_role
from keel.accounts.mfa_crypto import recovery_code_digests
from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.models import User
from keel.common.exceptions import ValidationFailed

TOTP_SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length
RECOVERY_CODE_BYTES = 7  # 56 bits, shown as 10 characters in two groups of five
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: TotpAuthenticator | StaticDevice | None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """True when a device accepted the code."""
        return self.device is not None


@dataclass(frozen=True)
class Enrolment:
    """A newly confirmed authenticator and the recovery codes to show once."""

    device: TotpAuthenticator
    recovery_codes: list[str]


def _locked_until(device: TotpAuthenticator | StaticDevice) -> dt.datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed or not isinstance(info, dict):
        return None
    until = info.get("locked_until")
    return until if isinstance(until, dt.datetime) else None


def totp_device_pending(*, user: User) -> TotpAuthenticator:
    """The user's authenticator waiting for its first code; a new secret if there is none."""
    pending: TotpAuthenticator | None = (
        TotpAuthenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if pending is not None:
        return pending
    device = TotpAuthenticator(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    device.set_key(secrets.token_bytes(TOTP_SECRET_BYTES))
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> Enrolment | CodeCheck:
    """Confirm the pending authenticator with a current code.

    On success the authenticator replaces any earlier one and a fresh set of
    recovery codes replaces any earlier set. Otherwise returns the failed check.
    """
    device = (
        TotpAuthenticator.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return CodeCheck(device=None)
    if not device.verify_token(code):
        return CodeCheck(device=None, locked_until=_locked_until(device))
    TotpAuthenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return Enrolment(device=device, recovery_codes=recovery_codes_replace(user=user))


def totp_device_install(*, user: User, secret_base32: str, name: str) -> TotpAuthenticator:
    """Register a confirmed authenticator with a known secret (the demo's published one)."""
    padded = secret_base32.replace(" ", "").upper()
    padded += "=" * (-len(padded) % 8)
    device = TotpAuthenticator(user=user, name=name, confirmed=True)
    device.set_key(base64.b32decode(padded))
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_verify(*, user: User, code: str) -> CodeCheck:
    """Check a code from the user's authenticator app (throttled after failures)."""
    device = TotpAuthenticator.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return CodeCheck(device=None)
    if device.verify_token(code):
        return CodeCheck(device=device)
    return CodeCheck(device=None, locked_until=_locked_until(device))


def _recovery_code_new() -> str:
    text = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode("ascii")
    text = text.rstrip("=").lower()[:10]
    return f"{text[:5]}-{text[5:]}"


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Make a new set of single-use recovery codes; earlier codes stop working.

    Only a keyed hash of each code is stored (``mfa_crypto``); the codes are
    returned once, to be shown once.
    """
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digests(code)[0]) for code in codes
    )
    device.throttle_reset(commit=False)
    device.confirmed = True
    device.save()
    return codes


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> CodeCheck:
    """Accept one unused recovery code and delete it, so it never works again (throttled)."""
    device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return CodeCheck(device=None)
    if _locked_until(device) is not None:
        return CodeCheck(device=None, locked_until=_locked_until(device))
    match = device.token_set.filter(token__in=recovery_code_digests(code)).first()
    if match is None:
        device.throttle_increment(commit=True)
        return CodeCheck(device=None, locked_until=_locked_until(device))
    match.delete()
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return CodeCheck(device=device)


def recovery_codes_remaining(*, user: User) -> int:
    """How many unused recovery codes the user has."""
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


@transaction.atomic
def mfa_disable(*, user: User, code: str) -> CodeCheck:
    """Remove the user's second factor after a current code; refused where the role needs it."""
    if mfa_required_by_role(user=user):
        raise ValidationFailed(
            {"code": ["Your role needs two-step sign-in; it cannot be turned off."]}
        )
    check = totp_verify(user=user, code=code)
    if check.ok:
        mfa_reset(user=user)
    return check


@transaction.atomic
def mfa_reset(*, user: User) -> int:
    """Delete every second-factor device of the user (an operator's reset after a lost phone).

    Returns how many devices were removed. A user whose role needs a second
    factor enrols a new authenticator at their next sign-in.
    """
    totp_count, _ = TotpAuthenticator.objects.filter(user=user).delete()
    static = StaticDevice.objects.filter(user=user)
    static_count = int(static.count())
    static.delete()
    return int(totp_count) + static_count
