"""Personal access tokens: stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import World
from keel.accounts.models import ApiToken
from keel.accounts.services import api_token_create, api_token_revoke, hash_token
from keel.common.exceptions import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _issue(
    world: World, who: str = "nurse_x", scopes: tuple[str, ...] = ("patients:read",), days: int = 30
) -> str:
    user = world.users[who]
    clinic = user.memberships.get().clinic
    return api_token_create(user=user, clinic=clinic, name="ehr sync", scopes=scopes, days=days).raw


def _get(raw: str | None, path: str = "/api/v1/patients") -> tuple[int, dict[str, object]]:
    headers = {} if raw is None else {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = Client().get(path, **headers)
    return response.status_code, response.json()


def test_token_is_stored_only_as_its_hash(world: World) -> None:
    raw = _issue(world)
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(raw)
    assert raw not in {token.token_hash, token.prefix, token.name}
    assert raw.startswith(token.prefix)


def test_valid_token_reads_patients_of_its_clinic(world: World) -> None:
    status, body = _get(_issue(world))
    assert status == 200
    assert world.patient_a.family_name in str(body)


def test_missing_token_is_401(world: World) -> None:
    status, body = _get(None)
    assert status == 401
    assert "detail" in body


def test_wrong_token_is_401(world: World) -> None:
    _issue(world)
    assert _get("keel_not-a-real-token")[0] == 401
    assert _get("something-else")[0] == 401


def test_expired_token_is_401(world: World) -> None:
    raw = _issue(world, days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert _get(raw)[0] == 401


def test_revoked_token_is_401(world: World) -> None:
    raw = _issue(world)
    token = ApiToken.objects.get()
    api_token_revoke(user=world.users["nurse_x"], token_id=token.pk)
    assert _get(raw)[0] == 401


def test_token_without_write_scope_cannot_create(world: World) -> None:
    raw = _issue(world, scopes=("patients:read",))
    response = Client().post(
        "/api/v1/patients",
        {
            "given_name": "A",
            "family_name": "B",
            "birth_date": "1990-01-01",
            "administrative_sex": "male",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403


def test_token_with_write_scope_creates_without_csrf(world: World) -> None:
    raw = _issue(world, scopes=("patients:read", "patients:write"))
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/patients",
        {
            "given_name": "Tok",
            "family_name": "Enson",
            "birth_date": "1990-01-01",
            "administrative_sex": "male",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201
    assert response.json()["mrn"].startswith(world.clinic_x.mrn_prefix)


def test_token_never_exceeds_the_role(world: World) -> None:
    """A clinic admin's token with patient scopes still reads no patients."""
    raw = _issue(world, who="clinic_admin_x", scopes=("patients:read",))
    assert _get(raw)[0] == 403
    assert _get(raw, f"/api/v1/patients/{world.patient_a.pk}")[0] == 404


def test_token_of_a_removed_member_stops_working(world: World) -> None:
    raw = _issue(world)
    world.users["nurse_x"].memberships.update(is_active=False)
    assert _get(raw)[0] == 401


@pytest.mark.parametrize(
    ("scopes", "days", "field"),
    [
        ((), 30, "scopes"),
        (("patients:read", "bogus"), 30, "scopes"),
        (("patients:read",), 0, "days"),
        (("patients:read",), 10_000, "days"),
    ],
)
def test_token_create_rejects_bad_input_naming_the_field(
    world: World, scopes: tuple[str, ...], days: int, field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        _issue(world, scopes=scopes, days=days)
    assert field in info.value.errors
    assert ApiToken.objects.count() == 0


def test_cannot_revoke_someone_elses_token(world: World) -> None:
    _issue(world)
    token = ApiToken.objects.get()
    with pytest.raises(NotFound):
        api_token_revoke(user=world.users["physician_x"], token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_api_write_needs_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["nurse_x"])
    response = client.patch(
        f"/api/v1/patients/{world.patient_a.pk}",
        {"given_name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403
    world.patient_a.refresh_from_db()
    assert world.patient_a.given_name == "Ainsley"


def test_tokens_page_issues_and_revokes(world: World) -> None:
    client = world.client("nurse_x")
    response = client.post(
        "/accounts/tokens/", {"name": "script", "scopes": ["patients:read"], "days": 7}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    raw = response.context["issued_raw"]
    assert hash_token(raw) == token.token_hash
    assert _get(raw)[0] == 200
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert _get(raw)[0] == 401
