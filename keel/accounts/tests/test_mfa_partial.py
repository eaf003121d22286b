"""A partial session (password given, second factor not yet) reaches no page and no API.

Every page route and every API operation is tried, not a hand-picked list, so
a new route is covered the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api
from conftest import World
from keel.accounts.mfa import SECOND_FACTOR_REQUIRED, session_is_partial
from keel.accounts.mfa_middleware import PARTIAL_SESSION_VIEWS
from keel.accounts.requests import request_actor
from keel.accounts.tests.mfa_support import authenticator_for

pytestmark = pytest.mark.django_db

SECOND_FACTOR_PAGES = ("/accounts/mfa/setup/", "/accounts/mfa/verify/")
# Patient pages and API calls of every app, with patient A's id filled in below.
PHI_PAGES = (
    "/patients/",
    "/patients/{pid}/",
    "/patients/{pid}/edit/",
    "/intake/patients/{pid}/",
    "/intake/patients/{pid}/evaluation/",
    "/consent/patients/{pid}/",
    "/coordination/",
    "/coordination/patients/{pid}/",
    "/audit/",
)
PHI_API = (
    "/api/v1/patients",
    "/api/v1/patients/{pid}",
    "/api/v1/intake/patients/{pid}",
    "/api/v1/consent/patients/{pid}",
    "/api/v1/coordination/patients/{pid}",
    "/api/v1/audit",
)
_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
_API_PARAM = re.compile(r"\{\w+\}")


def _page_routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """(path with every parameter set to 1, view name) for each page route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith("api/"):
                yield from _page_routes(list(pattern.url_patterns), route)
            continue
        namespace = prefix.strip("/").split("/")[0] if prefix else ""
        name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
        yield "/" + _CONVERTER.sub("1", route), name


def _api_operations() -> Iterator[tuple[str, str]]:
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            yield method, _API_PARAM.sub("1", path)


PAGE_ROUTES = sorted(
    (path, name) for path, name in _page_routes() if name not in PARTIAL_SESSION_VIEWS
)
API_OPERATIONS = sorted(_api_operations())


def _partial(world: World, who: str = "physician_x") -> Client:
    """A session signed in with the password only (force_login, no second factor)."""
    client = Client()
    client.force_login(world.users[who])
    return client


def test_the_sweep_sees_every_app() -> None:
    paths = {path for path, _ in PAGE_ROUTES}
    assert {"/patients/1/", "/audit/", "/accounts/tokens/", "/accounts/security/"} <= paths
    assert ("get", "/api/v1/patients/1") in API_OPERATIONS
    assert len(API_OPERATIONS) >= 15


@pytest.mark.parametrize(("path", "name"), PAGE_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_redirects_a_partial_session_to_the_second_factor(
    world: World, path: str, name: str, method: str
) -> None:
    response = getattr(_partial(world), method)(path)
    assert response.status_code == 302, (name, response.status_code)
    assert response["Location"].startswith(SECOND_FACTOR_PAGES)


@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
def test_every_api_operation_answers_401_to_a_partial_session(
    world: World, method: str, path: str
) -> None:
    response = getattr(_partial(world), method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_REQUIRED}
    assert "Second factor required" in SECOND_FACTOR_REQUIRED


@pytest.mark.parametrize("who", ["physician_x", "clinic_admin_x", "psychiatrist_a"])
def test_force_logged_in_without_verification_sees_no_phi(world: World, who: str) -> None:
    authenticator_for(world.users[who])
    client = _partial(world, who)
    pid = world.patient_a.pk
    for template in PHI_PAGES:
        response = client.get(template.format(pid=pid))
        assert response.status_code == 302, template
        assert response["Location"].startswith("/accounts/mfa/verify/?next=")
    for template in PHI_API:
        response = client.get(template.format(pid=pid))
        assert response.status_code == 401, template
        assert world.patient_a.family_name not in response.content.decode()


_WITHOUT_MFA_MIDDLEWARE = [
    m for m in settings.MIDDLEWARE if m != "keel.accounts.mfa_middleware.MfaRequiredMiddleware"
]


@override_settings(MIDDLEWARE=_WITHOUT_MFA_MIDDLEWARE)
def test_without_the_middleware_the_actor_layer_still_fails_closed(world: World) -> None:
    """The middleware is the friendly layer; the actor layer alone keeps PHI out of reach."""
    client = _partial(world)
    pid = world.patient_a.pk
    for template in PHI_PAGES:
        response = client.get(template.format(pid=pid))
        assert response.status_code in {302, 404}, template
        if response.status_code == 302:
            assert response["Location"].startswith(SECOND_FACTOR_PAGES)
    for template in PHI_API:
        response = client.get(template.format(pid=pid))
        assert response.status_code == 401, template
        assert response.json()["detail"] == SECOND_FACTOR_REQUIRED


def test_request_actor_is_none_for_a_partial_session(world: World, rf: RequestFactory) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/patients/")
    request.user = world.users["physician_x"]  # no OTP verification attached: fail closed
    request.session = SessionStore()
    assert session_is_partial(request) is True
    assert request_actor(request) is None

    nurse_request = rf.get("/patients/")
    nurse_request.user = world.users["nurse_x"]
    nurse_request.session = SessionStore()
    assert request_actor(nurse_request) is not None


def test_static_files_and_the_second_factor_pages_stay_reachable(world: World) -> None:
    client = _partial(world)
    assert client.get("/accounts/mfa/setup/").status_code == 200
    assert client.get("/accounts/mfa/verify/").status_code == 302  # nothing to verify yet
    assert client.get("/accounts/login/").status_code == 302  # already signed in: onwards
    static = client.get(f"{settings.STATIC_URL}keel/keel.css")
    assert not static.get("Location", "").startswith(SECOND_FACTOR_PAGES)
