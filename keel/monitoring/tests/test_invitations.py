"""Portal invitations: single use, expiring, revocable, one calm page for every dead link."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import World
from keel.accounts.roles import AccountType
from keel.audit.models import AuditEvent, AuditOutcome
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.monitoring.models import PortalInvitation
from keel.monitoring.selectors import portal_status
from keel.monitoring.services import (
    portal_invitation_accept,
    portal_invitations_revoke,
    portal_invite,
)
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "https://keel.example/portal/invitation/{token}/"
PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def newcomer(world: World) -> Patient:
    """A clinic X patient with an email address and no portal login yet."""
    patient: Patient = PatientFactory(
        clinic=world.clinic_x, given_name="Corin", family_name="Vantablack", email="c@example.org"
    )
    return patient


def _invite(world: World, patient: Patient, captured: object) -> str:
    with captured(execute=True):  # type: ignore[operator]
        portal_invite(actor=world.actor("front_desk_x"), patient=patient, accept_url_template=URL)
    found = re.search(r"invitation/([^/\s]+)/", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def test_invitation_email_holds_only_the_link(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    token = _invite(world, newcomer, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.to == ["c@example.org"]
    for private in (newcomer.family_name, newcomer.given_name, newcomer.mrn, "PHQ", "ketamine"):
        assert private not in message.body and private not in message.subject
    invitation = PortalInvitation.objects.get(patient=newcomer)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    lifetime = invitation.expires_at - invitation.created_at
    assert dt.timedelta(days=7) - dt.timedelta(seconds=5) < lifetime <= dt.timedelta(days=7)


@override_settings(KEEL_PORTAL_INVITATION_DAYS=2)
def test_invitation_days_come_from_the_setting(world: World, newcomer: Patient) -> None:
    invitation = portal_invite(
        actor=world.actor("front_desk_x"), patient=newcomer, accept_url_template=URL
    )
    assert invitation.expires_at - timezone.now() < dt.timedelta(days=2, minutes=1)


def test_the_link_creates_a_patient_login_once(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    token = _invite(world, newcomer, django_capture_on_commit_callbacks)
    link = reverse("portal:invitation", args=[token])
    client = Client()
    assert client.get(link).status_code == 200
    response = client.post(
        link, {"username": "corin", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    newcomer.refresh_from_db()
    assert newcomer.user is not None
    assert newcomer.user.account_type == AccountType.PATIENT
    assert newcomer.user.username == "corin"
    # The new login reaches its own Today page.
    assert newcomer.user.check_password(PASSWORD)
    client.force_login(newcomer.user)
    assert client.get(reverse("portal:today")).status_code == 200
    # Single use: the same link now gets the calm dead-link page.
    dead = Client().get(link)
    assert dead.status_code == 404
    assert "This link no longer works" in dead.content.decode()
    assert portal_status(patient=newcomer).state == "active"
    with pytest.raises(NotFound):
        portal_invitation_accept(raw_token=token, username="corin2", password=PASSWORD)


def test_weak_password_and_taken_username_are_named(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    token = _invite(world, newcomer, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationFailed) as info:
        portal_invitation_accept(raw_token=token, username="patient_a", password="short")
    assert set(info.value.errors) == {"username", "password"}
    response = Client().post(
        reverse("portal:invitation", args=[token]),
        {"username": "corin", "password": "short", "password_again": "short"},
    )
    assert response.status_code == 422
    newcomer.refresh_from_db()
    assert newcomer.user is None


def _dead_page(token: str) -> str:
    response = Client().get(reverse("portal:invitation", args=[token]))
    assert response.status_code == 404
    return response.content.decode().split("<main")[1]


def test_used_expired_revoked_and_unknown_links_get_the_same_page(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    other = PatientFactory(clinic=world.clinic_x, email="o@example.org")
    third = PatientFactory(clinic=world.clinic_x, email="t@example.org")
    used = _invite(world, newcomer, django_capture_on_commit_callbacks)
    portal_invitation_accept(raw_token=used, username="corin", password=PASSWORD)
    expired = _invite(world, other, django_capture_on_commit_callbacks)
    PortalInvitation.objects.filter(patient=other).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    revoked = _invite(world, third, django_capture_on_commit_callbacks)
    assert portal_invitations_revoke(actor=world.actor("nurse_x"), patient=third) == 1
    pages = {_dead_page(t) for t in (used, expired, revoked, "no-such-token-at-all")}
    assert len(pages) == 1
    assert "ask your clinic" in pages.pop()
    reasons = set(
        AuditEvent.objects.filter(
            object_type="portal_invitation", outcome=AuditOutcome.DENIED
        ).values_list("detail__reason", flat=True)
    )
    assert reasons == {"used", "expired", "revoked", "unknown"}
    assert portal_status(patient=other).state == "expired"
    assert portal_status(patient=third).state == "revoked"


def test_a_new_invitation_withdraws_the_older_link(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    first = _invite(world, newcomer, django_capture_on_commit_callbacks)
    second = _invite(world, newcomer, django_capture_on_commit_callbacks)
    _dead_page(first)
    assert Client().get(reverse("portal:invitation", args=[second])).status_code == 200


def test_a_patient_with_a_login_or_no_email_is_not_invited(world: World) -> None:
    with pytest.raises(Conflict):
        portal_invite(
            actor=world.actor("nurse_x"), patient=world.patient_a, accept_url_template=URL
        )
    no_email = PatientFactory(clinic=world.clinic_x, email="")
    with pytest.raises(ValidationFailed) as info:
        portal_invite(actor=world.actor("nurse_x"), patient=no_email, accept_url_template=URL)
    assert "email" in info.value.errors


def test_staff_portal_page_shows_status_and_invites(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    client = world.client("front_desk_x")
    page = reverse("monitoring:portal", args=[newcomer.pk])
    assert "Not invited" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(reverse("monitoring:portal_invite", args=[newcomer.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "testserver/portal/invitation/" in mail.outbox[0].body
    assert "Invited" in client.get(page).content.decode()
    client.post(reverse("monitoring:portal_revoke", args=[newcomer.pk]))
    assert "Invitation withdrawn" in client.get(page).content.decode()
    actions = list(
        AuditEvent.objects.filter(
            object_type="portal_invitation", patient_id=newcomer.pk
        ).values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    assert (
        "active login"
        in world.client("nurse_x")
        .get(reverse("monitoring:portal", args=[world.patient_a.pk]))
        .content.decode()
        .lower()
    )


def test_accepting_is_audited_with_the_patient(
    world: World, newcomer: Patient, django_capture_on_commit_callbacks: object
) -> None:
    token = _invite(world, newcomer, django_capture_on_commit_callbacks)
    Client().get(reverse("portal:invitation", args=[token]))
    portal_invitation_accept(raw_token=token, username="corin", password=PASSWORD)
    steps = list(
        AuditEvent.objects.filter(patient_id=newcomer.pk)
        .order_by("sequence")
        .values_list("object_type", "action", "outcome")
    )
    assert steps == [
        ("portal_invitation", "create", "success"),
        ("portal_invitation", "read", "success"),
        ("user", "create", "success"),
    ]
