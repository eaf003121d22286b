"""Keep a partial session (password given, second factor not yet) on the second-factor pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from keel.accounts.mfa import SECOND_FACTOR_REQUIRED, second_factor_redirect, session_is_partial

API_PREFIX = "/api/"
# The only views a partial session may open.
PARTIAL_SESSION_VIEWS = frozenset(
    {"accounts:login", "accounts:logout", "accounts:mfa_setup", "accounts:mfa_verify"}
)


def _allowed_while_partial(request: HttpRequest) -> bool:
    static_url = str(settings.STATIC_URL or "/static/")
    if request.path.startswith(static_url):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in PARTIAL_SESSION_VIEWS


class MfaRequiredMiddleware:
    """Pages of a partial session redirect to set up or verify; API calls answer 401.

    ONC 170.315(d)(13). A request carrying a bearer token is left to the API's
    token authentication (tokens are issued only from a full session). This is
    the friendly layer; ``request_actor`` returning no actor for a partial
    session is what keeps every gate closed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not _allowed_while_partial(request)
            and session_is_partial(request)
        ):
            if not request.path.startswith(API_PREFIX):
                return second_factor_redirect(request)
            if not request.headers.get("Authorization"):
                response = JsonResponse({"detail": SECOND_FACTOR_REQUIRED}, status=401)
                response["WWW-Authenticate"] = 'Bearer realm="keel"'
                return response
        return self.get_response(request)
