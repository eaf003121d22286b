"""Authentication for the JSON API: session + CSRF for the browser, bearer tokens for clients."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from keel.accounts.mfa import SECOND_FACTOR_REQUIRED, session_is_partial
from keel.accounts.requests import request_actor, request_actor_set
from keel.accounts.selectors import Actor, actor_build
from keel.accounts.services import api_token_authenticate
from keel.common.exceptions import NotFound

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer keel_...``: a personal access token, narrowed to its scopes."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        # Same as HttpBearer.__call__ but never logs the header (it holds a secret).
        auth_value = request.headers.get(self.header, "")
        scheme, _, token = auth_value.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        """Return the token's actor, or None for a missing, wrong, expired or revoked token."""
        api_token = api_token_authenticate(raw=token)
        if api_token is None:
            return None
        actor = actor_build(
            user=api_token.user, clinic_id=api_token.clinic_id, scopes=api_token.scopes
        )
        if actor is None:
            return None
        request_actor_set(request, actor)
        return actor


class SessionCsrfAuth(APIKeyCookie):
    """The browser's login session; unsafe methods need the CSRF token (htmx sends it)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        """Return the session's actor; a signed-in request without a valid CSRF token is 403.

        A partial session (second factor not yet given) is 401 with a clear detail.
        """
        if not request.user.is_authenticated:
            return None
        if session_is_partial(request):
            raise HttpError(401, SECOND_FACTOR_REQUIRED)
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return request_actor(request)


def api_actor(request: HttpRequest) -> Actor:
    """The actor an API operation acts as (set by the authenticators above).

    An authenticated user who may not act (e.g. staff without an active
    membership) gets 404, like any object outside their scope.
    """
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Actor):
        raise NotFound()
    return auth
