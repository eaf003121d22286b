"""Session idle timeout and the active clinic / actor of each request."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from keel.accounts.requests import request_actor
from keel.patients.selectors import outside_time_zone

LAST_ACTIVITY_SESSION_KEY = "keel_last_activity"
API_PREFIX = "/api/"


class IdleTimeoutMiddleware:
    """End a login session that has been idle longer than ``KEEL_SESSION_IDLE_SECONDS``.

    ONC 170.315(d)(5). Pages redirect to the login page with a notice; API
    calls answer 401. The absolute lifetime is ``SESSION_COOKIE_AGE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            idle_limit = int(settings.KEEL_SESSION_IDLE_SECONDS)
            if last is not None and now - float(last) > idle_limit:
                logout(request)
                if request.path.startswith(API_PREFIX):
                    return JsonResponse({"detail": "Session expired after inactivity."}, status=401)
                messages.info(request, "You were signed out after a period of inactivity.")
                login_url = resolve_url(settings.LOGIN_URL)
                return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.path})}")
        response = self.get_response(request)
        # Stamp after the view too, so the clock starts at sign-in.
        if request.user.is_authenticated:
            request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return response


class ClinicTimeZoneMiddleware:
    """Show times in the active clinic's time zone (stored times stay UTC).

    Outside accounts act in no clinic: a psychiatrist of record sees her patients' clinic's
    zone, a patient their own clinic's (UTC only when their clinics' zones differ).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = request_actor(request) if request.user.is_authenticated else None
        zone = None
        if actor is not None and actor.clinic is not None:
            zone = actor.clinic.tzinfo
        elif actor is not None and actor.role is None:
            name = outside_time_zone(user=actor.user)
            zone = ZoneInfo(name) if name else None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
