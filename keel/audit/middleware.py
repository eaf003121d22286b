"""Request context for audit events, and the flush of denied attempts."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from keel.audit import context
from keel.audit.services import NO_VALUE, pending_scope

_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
USER_AGENT_MAX = 300
REQUEST_ID_HEADER = "X-Request-ID"


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address.

    ``REMOTE_ADDR`` unless ``KEEL_TRUSTED_PROXY_COUNT`` (default 0) says how
    many proxies in front of Keel append to ``X-Forwarded-For``; then the
    address that many entries from the right, which the outermost trusted
    proxy wrote. Anything a client could have forged is ignored.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or NO_VALUE
    proxies = getattr(settings, "KEEL_TRUSTED_PROXY_COUNT", 0)
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def request_id(request: HttpRequest) -> str:
    """The caller's ``X-Request-ID`` if it is a safe token (1-64 of A-Z a-z 0-9 -), else a new one."""
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    if _REQUEST_ID.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


class AuditContextMiddleware:
    """Make the request's address, user agent and id available to audit events.

    Also gives the request its buffer of denied events and writes them after
    the view, whether it returned or raised, outside its transaction. The
    request id is echoed in the ``X-Request-ID`` response header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            client_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
            request_id=request_id(request),
        )
        token = context.activate(ctx)
        try:
            with pending_scope():
                response = self.get_response(request)
        finally:
            context.deactivate(token)
        response.headers.setdefault(REQUEST_ID_HEADER, ctx.request_id)
        return response
