"""Login hardening: argon2, lockout, idle timeout, logout, clinic choice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import World
from keel.accounts.roles import Role
from keel.accounts.tests.factories import TEST_PASSWORD, ClinicFactory, MembershipFactory
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2() -> None:
    assert make_password("a-long-password-here").startswith("argon2$")


def test_production_hasher_list_starts_with_argon2() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_success_redirects_home_and_is_audited(world: World) -> None:
    client = Client()
    assert _login(client, "nurse_x", TEST_PASSWORD) == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_username="nurse_x").exists()


def test_failed_login_is_audited_as_denied(world: World) -> None:
    assert _login(Client(), "nurse_x", "wrong-password") == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.outcome, event.actor_username, event.actor_user_id) == (
        AuditOutcome.DENIED,
        "nurse_x",
        None,
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures_even_with_the_right_password(world: World) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "nurse_x", "wrong-password")
    status = _login(client, "nurse_x", TEST_PASSWORD)
    assert status == 429
    assert client.get("/").status_code == 302  # still anonymous


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_does_not_block_other_users(world: World) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "nurse_x", "wrong-password")
    assert _login(client, "physician_x", TEST_PASSWORD) == 302


@override_settings(KEEL_SESSION_IDLE_SECONDS=900)
def test_idle_session_is_signed_out_past_the_limit(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _login(client, "nurse_x", TEST_PASSWORD) == 302
        assert client.get("/patients/").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=899), tick=False):
        assert client.get("/patients/").status_code == 200  # activity resets the clock
    with time_machine.travel(start + dt.timedelta(seconds=899 + 901), tick=False):
        response = client.get("/patients/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert client.get("/api/v1/patients").status_code == 401


@override_settings(KEEL_SESSION_IDLE_SECONDS=900)
def test_idle_api_session_gets_401(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client, "nurse_x", TEST_PASSWORD)
    with time_machine.travel(start + dt.timedelta(seconds=901), tick=False):
        assert client.get("/api/v1/patients").status_code == 401


def test_logout_ends_the_server_session(world: World) -> None:
    client = Client()
    _login(client, "nurse_x", TEST_PASSWORD)
    session_key = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    stale = Client()
    stale.cookies["sessionid"] = session_key
    assert stale.get("/patients/").status_code == 302


def test_logout_requires_post(world: World) -> None:
    client = world.client("nurse_x")
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_anonymous_pages_redirect_to_login() -> None:
    response = Client().get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_forms_require_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["nurse_x"])
    response = client.post(reverse("patients:create"), {"given_name": "No", "family_name": "Token"})
    assert response.status_code == 403


def test_member_of_two_clinics_switches_the_active_clinic(world: World) -> None:
    nurse = world.users["nurse_x"]
    MembershipFactory(user=nurse, clinic=world.clinic_y, role=Role.PHYSICIAN)
    client = world.client("nurse_x")
    detail = reverse("patients:detail", args=[world.patient_a.pk])
    first = client.get(detail).status_code
    client.post(reverse("accounts:clinic_switch"), {"clinic_id": world.clinic_y.pk})
    second = client.get(detail).status_code
    client.post(reverse("accounts:clinic_switch"), {"clinic_id": world.clinic_x.pk})
    third = client.get(detail).status_code
    # Clinic names sort X before Y, so the session starts in clinic X.
    assert (first, second, third) == (200, 404, 200)


def test_cannot_switch_to_a_clinic_without_membership(world: World) -> None:
    other = ClinicFactory()
    client = world.client("nurse_x")
    response = client.post(reverse("accounts:clinic_switch"), {"clinic_id": other.pk})
    assert response.status_code == 404


def test_staff_without_membership_cannot_act(world: World) -> None:
    world.users["nurse_x"].memberships.update(is_active=False)
    assert world.client("nurse_x").get("/").status_code == 404
