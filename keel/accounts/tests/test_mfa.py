"""Two-step sign-in (ONC 170.315(d)(13)): who needs it, enrolment, verification, recovery codes."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from conftest import World
from keel.accounts.mfa import (
    MFA_REQUIRED_ACCOUNT_TYPES,
    MFA_REQUIRED_ROLES,
    RECOVERY_CODE_COUNT,
    mfa_required,
)
from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.models import ApiToken
from keel.accounts.roles import AccountType, Role
from keel.accounts.services import api_token_create
from keel.accounts.tests.factories import TEST_PASSWORD, MembershipFactory
from keel.accounts.tests.mfa_support import TEST_TOTP_SECRET, authenticator_for, totp_code
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETUP = "/accounts/mfa/setup/"
VERIFY = "/accounts/mfa/verify/"
SECURITY = "/accounts/security/"
# A fixed instant well inside a 30-second step, so codes never straddle a boundary.
T0 = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


def _password_login(username: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _verify(client: Client, code: str, *, next_url: str = "/") -> int:
    response = client.post(VERIFY, {"method": "totp", "code": code, "next": next_url})
    return response.status_code


def _recover(client: Client, code: str) -> int:
    return client.post(VERIFY, {"method": "recovery", "recovery_code": code}).status_code


def _enrol(client: Client) -> list[str]:
    """Walk the setup page as a person would; return the recovery codes it shows once."""
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = page.context["secret_groups"]
    response = client.post(SETUP, {"code": totp_code("".join(secret), at=time.time())})
    assert response.status_code == 200
    codes: list[str] = response.context["codes"]
    return codes


# ---------------------------------------------------------------- the rule


def test_the_rule_is_data() -> None:
    assert frozenset({Role.PHYSICIAN, Role.CLINIC_ADMIN}) == MFA_REQUIRED_ROLES
    assert frozenset({AccountType.PSYCHIATRIST_OF_RECORD}) == MFA_REQUIRED_ACCOUNT_TYPES


@pytest.mark.parametrize(
    ("who", "required"),
    [
        ("physician_x", True),
        ("clinic_admin_x", True),
        ("psychiatrist_a", True),
        ("nurse_x", False),
        ("front_desk_x", False),
        ("patient_a", False),
    ],
)
def test_required_for_physicians_admins_and_psychiatrists_optional_for_others(
    world: World, who: str, required: bool
) -> None:
    assert mfa_required(user=world.users[who]) is required
    client = _password_login(world.users[who].username)
    response = client.get("/")
    if required:
        assert response.status_code == 302
        assert response["Location"].startswith(SETUP)  # no authenticator yet: first-time setup
    elif who.startswith("patient"):
        assert response.status_code == 302 and response["Location"] == "/portal/"
    else:
        assert response.status_code == 200


def test_a_physician_membership_in_any_clinic_requires_it(world: World) -> None:
    """One login, one credential: a nurse here who is a physician elsewhere needs MFA here too."""
    nurse = world.users["nurse_x"]
    MembershipFactory(user=nurse, clinic=world.clinic_y, role=Role.PHYSICIAN)
    assert mfa_required(user=nurse) is True
    assert _password_login("nurse_x").get("/patients/").status_code == 302


def test_login_to_a_partial_session_is_audited_under_the_users_name(world: World) -> None:
    _password_login("physician_x")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (event.actor_username, event.actor_role) == ("physician_x", "physician")


# ---------------------------------------------------------------- verification


def test_verify_with_totp_completes_the_session(world: World) -> None:
    authenticator_for(world.users["physician_x"])
    with time_machine.travel(T0, tick=False):
        client = _password_login("physician_x")
        before = client.cookies["sessionid"].value
        first = client.get("/patients/")
        assert first.status_code == 302
        assert first["Location"] == f"{VERIFY}?next=%2Fpatients%2F"
        assert client.get(first["Location"]).status_code == 200
        response = client.post(
            VERIFY, {"method": "totp", "code": totp_code(TEST_TOTP_SECRET), "next": "/patients/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/patients/"
        assert client.get("/patients/").status_code == 200
        assert client.get("/api/v1/patients").status_code == 200
    assert client.cookies["sessionid"].value != before  # a new session key after the second factor
    event = AuditEvent.objects.get(action=AuditAction.LOGIN, object_type="mfa_totp")
    assert event.actor_username == "physician_x"


def test_a_code_is_accepted_once(world: World) -> None:
    authenticator_for(world.users["physician_x"])
    with time_machine.travel(T0, tick=False):
        code = totp_code(TEST_TOTP_SECRET)
        assert _verify(_password_login("physician_x"), code) == 302
        replay = _password_login("physician_x")
        assert _verify(replay, code) == 200
        assert replay.get("/patients/").status_code == 302


def test_wrong_codes_are_throttled(world: World) -> None:
    """django-otp's back-off: after a wrong code even the right one waits 1 s, then 2 s, 4 s..."""
    device = authenticator_for(world.users["physician_x"])
    with time_machine.travel(T0, tick=False) as clock:
        client = _password_login("physician_x")
        wrong = "000000" if totp_code(TEST_TOTP_SECRET) != "000000" else "111111"
        assert _verify(client, wrong) == 200
        assert _verify(client, wrong) == 200  # inside the 1-second wait: not even checked
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        clock.shift(1.5)
        assert _verify(client, wrong) == 200
        device.refresh_from_db()
        assert device.throttling_failure_count == 2
        response = client.post(VERIFY, {"method": "totp", "code": totp_code(TEST_TOTP_SECRET)})
        assert response.status_code == 200  # the right code, but within the 2-second wait
        assert "wait" in response.content.decode()
        clock.shift(2.5)
        assert _verify(client, totp_code(TEST_TOTP_SECRET)) == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    failures = AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_type="mfa_totp", outcome=AuditOutcome.DENIED
    )
    assert failures.count() == 4
    assert set(failures.values_list("actor_username", flat=True)) == {"physician_x"}


def test_verify_never_redirects_off_site(world: World) -> None:
    authenticator_for(world.users["physician_x"])
    with time_machine.travel(T0, tick=False):
        client = _password_login("physician_x")
        response = client.post(
            VERIFY,
            {"method": "totp", "code": totp_code(TEST_TOTP_SECRET), "next": "https://evil.test/"},
        )
    assert response["Location"] == "/"


# ---------------------------------------------------------------- enrolment and recovery codes


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once(
    world: World,
) -> None:
    client = _password_login("clinic_admin_x")
    assert client.get("/audit/")["Location"].startswith(SETUP)
    page = client.get(SETUP)
    body = page.content.decode()
    secret = "".join(page.context["secret_groups"])
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert f"secret={secret}" in page.context["otpauth_uri"]
    assert page.context["otpauth_uri"].startswith("otpauth://totp/Keel%3Aclinic_admin_x?")
    assert 'src="data:image/svg+xml' in body  # the QR code, drawn on the server
    wrong = client.post(SETUP, {"code": "12345"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get("/audit/").status_code == 302
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=2), tick=False):
        done = client.post(SETUP, {"code": totp_code(secret)})
        codes = done.context["codes"]
        assert len(codes) == len(set(codes)) == RECOVERY_CODE_COUNT
        assert client.get("/audit/").status_code == 200
    device = TotpAuthenticator.objects.get(user=world.users["clinic_admin_x"])
    assert device.confirmed is True
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="mfa_totp_device", actor_username="clinic_admin_x"
    ).exists()
    # Shown once: no later page repeats them.
    assert codes[0] not in client.get(SECURITY).content.decode()


def test_an_enrolled_user_in_a_partial_session_cannot_register_another_authenticator(
    world: World,
) -> None:
    authenticator_for(world.users["physician_x"])
    client = _password_login("physician_x")
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert TotpAuthenticator.objects.filter(user=world.users["physician_x"]).count() == 1


def test_recovery_codes_are_single_use_and_stored_hashed(world: World) -> None:
    client = _password_login("physician_x")
    codes = _enrol(client)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == RECOVERY_CODE_COUNT
    assert not stored & {c for code in codes for c in (code, code.replace("-", ""))}

    client.post(reverse("accounts:logout"))
    second = _password_login("physician_x")
    assert _recover(second, codes[0].upper().replace("-", " ")) == 302  # typed loosely
    assert second.get("/patients/").status_code == 200
    assert StaticToken.objects.count() == RECOVERY_CODE_COUNT - 1
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, object_type="mfa_recovery_code"
    ).exists()

    second.post(reverse("accounts:logout"))
    third = _password_login("physician_x")
    assert _recover(third, codes[0]) == 200  # used up
    assert third.get("/patients/").status_code == 302
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=2)):
        assert _recover(third, codes[1]) == 302  # after the throttle's first wait


def test_new_recovery_codes_replace_the_old_ones(world: World) -> None:
    client = _password_login("physician_x")
    old = _enrol(client)
    response = client.post(reverse("accounts:mfa_recovery_codes_new"))
    new = response.context["codes"]
    assert len(new) == RECOVERY_CODE_COUNT and not set(new) & set(old)
    client.post(reverse("accounts:logout"))
    assert _recover(_password_login("physician_x"), old[1]) == 200


# ---------------------------------------------------------------- optional enrolment


def test_a_nurse_may_enrol_and_is_then_asked_at_every_sign_in(world: World) -> None:
    client = _password_login("nurse_x")
    page = client.get(SECURITY)
    assert page.status_code == 200
    assert "Optional for your role" in page.content.decode()
    _enrol(client)
    client.post(reverse("accounts:logout"))
    again = _password_login("nurse_x")
    assert again.get("/patients/")["Location"].startswith(VERIFY)


def test_a_nurse_may_turn_it_off_with_a_current_code(world: World) -> None:
    client = _password_login("nurse_x")
    _enrol(client)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=31), tick=False):
        secret = TotpAuthenticator.objects.get().base32_key
        response = client.post(reverse("accounts:mfa_disable"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert not TotpAuthenticator.objects.exists()
    assert not StaticToken.objects.exists()
    client.post(reverse("accounts:logout"))
    assert _password_login("nurse_x").get("/patients/").status_code == 200


def test_a_physician_cannot_turn_it_off(world: World) -> None:
    client = world.client("physician_x")
    secret = TotpAuthenticator.objects.get().base32_key
    response = client.post(reverse("accounts:mfa_disable"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert TotpAuthenticator.objects.count() == 1
    assert "cannot be turned off" in client.get(SECURITY).content.decode()


# ---------------------------------------------------------------- tokens, logout, reset


def test_tokens_page_refuses_a_partial_session(world: World) -> None:
    authenticator_for(world.users["physician_x"])
    client = _password_login("physician_x")
    assert client.get("/accounts/tokens/")["Location"].startswith(VERIFY)
    response = client.post(
        "/accounts/tokens/", {"name": "sync", "scopes": ["patients:read"], "days": 7}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_a_verified_physician_issues_a_token_and_bearer_calls_need_no_second_factor(
    world: World,
) -> None:
    client = world.client("physician_x")
    response = client.post(
        "/accounts/tokens/", {"name": "sync", "scopes": ["patients:read"], "days": 7}
    )
    raw = response.context["issued_raw"]
    assert Client().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    partial = _password_login("physician_x")  # a partial session cookie does not get in the way
    assert partial.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert partial.get("/api/v1/patients").status_code == 401


def test_bearer_tokens_need_no_second_factor(world: World) -> None:
    """A program's token was issued from a full session; each call needs no second factor."""
    raw = api_token_create(
        user=world.users["physician_x"],
        clinic=world.clinic_x,
        name="ehr",
        scopes=["patients:read"],
        days=1,
    ).raw
    assert Client().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_logout_from_a_partial_session(world: World) -> None:
    client = _password_login("physician_x")
    key = client.cookies["sessionid"].value
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    stale = Client()
    stale.cookies["sessionid"] = key
    assert stale.get("/patients/")["Location"].startswith(LOGIN)
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor_username == "physician_x"


def test_an_operator_reset_sends_the_user_back_to_setup(world: World) -> None:
    client = world.client("physician_x")
    assert client.get("/patients/").status_code == 200
    call_command("mfa_reset", "physician_x")
    assert not TotpAuthenticator.objects.exists()
    assert client.get("/patients/")["Location"].startswith(SETUP)
