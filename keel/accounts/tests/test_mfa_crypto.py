"""Second-factor secrets at rest (ONC 170.315(d)(12)): TOTP secrets encrypted, recovery codes hashed."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from conftest import World
from keel.accounts.mfa_crypto import (
    SecretUnreadable,
    recovery_code_digests,
    secret_decrypt,
    secret_encrypt,
)
from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.mfa_services import recovery_code_use, recovery_codes_replace, totp_verify
from keel.accounts.tests.mfa_support import TEST_TOTP_SECRET, authenticator_for, totp_code

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
OLD_KEY = "keel-test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW_KEY = "keel-rotated-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-xyz"


def test_no_totp_secret_is_stored_in_clear(world: World) -> None:
    device = authenticator_for(world.users["physician_x"])
    raw = base64.b32decode(TEST_TOTP_SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_totp_authenticator")
        row = " ".join(str(value) for value in cursor.fetchone())
    for form in (TEST_TOTP_SECRET, TEST_TOTP_SECRET.lower(), raw.hex(), raw.hex().upper()):
        assert form not in row
    assert device.encrypted_key.startswith("gAAAA")  # a Fernet token
    assert device.bin_key == raw


def test_encryption_is_randomised_and_authenticated() -> None:
    first, second = secret_encrypt(b"same secret"), secret_encrypt(b"same secret")
    assert first != second
    assert secret_decrypt(first) == secret_decrypt(second) == b"same secret"
    tampered = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    with pytest.raises(SecretUnreadable):
        secret_decrypt(tampered)


def test_a_rotated_secret_key_still_verifies_and_re_encrypts(world: World) -> None:
    user = world.users["physician_x"]
    device = authenticator_for(user)
    before = device.encrypted_key
    with (
        override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]),
        time_machine.travel(T0, tick=False),
    ):
        assert totp_verify(user=user, code=totp_code(TEST_TOTP_SECRET)).ok
        device.refresh_from_db()
        assert device.encrypted_key != before
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        assert device.bin_key == base64.b32decode(TEST_TOTP_SECRET)  # now under the new key


def test_without_the_old_key_the_code_is_refused_not_an_error(world: World) -> None:
    user = world.users["physician_x"]
    authenticator_for(user)
    with (
        override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]),
        time_machine.travel(T0, tick=False),
    ):
        assert totp_verify(user=user, code=totp_code(TEST_TOTP_SECRET)).ok is False


def test_recovery_codes_survive_a_key_rotation_through_the_fallbacks(world: World) -> None:
    user = world.users["nurse_x"]
    codes = recovery_codes_replace(user=user)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert recovery_code_use(user=user, code=codes[0]).ok
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        assert recovery_code_use(user=user, code=codes[1]).ok is False


def test_recovery_digests_are_keyed_and_normalised() -> None:
    assert recovery_code_digests("abcde-fghij") == recovery_code_digests(" ABCDE FGHIJ ")
    under_old = recovery_code_digests("abcde-fghij")
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        under_new = recovery_code_digests("abcde-fghij")
    assert under_old != under_new  # a stolen table cannot be checked without SECRET_KEY
    assert len(under_old[0]) == 16


def test_totp_codes_are_checked_against_the_decrypted_secret(world: World) -> None:
    user = world.users["physician_x"]
    device = authenticator_for(user)
    with time_machine.travel(T0, tick=False):
        assert totp_verify(user=user, code=totp_code(TEST_TOTP_SECRET, step_offset=5)).ok is False
    device.refresh_from_db()
    assert isinstance(device, TotpAuthenticator)
    with time_machine.travel(T0 + dt.timedelta(seconds=3), tick=False):
        assert totp_verify(user=user, code=totp_code(TEST_TOTP_SECRET)).ok
