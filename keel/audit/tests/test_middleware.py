from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from keel.audit import context
from keel.audit.middleware import AuditContextMiddleware, client_address, request_id


def _seen(request: HttpRequest) -> context.RequestContext:
    seen: list[context.RequestContext] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(context.current())
        return HttpResponse("ok")

    AuditContextMiddleware(view)(request)
    return seen[0]


def test_middleware_activates_the_context_only_during_the_request(rf: RequestFactory) -> None:
    """The view sees the request's context; afterwards the empty one is back."""
    ctx = _seen(rf.get("/", REMOTE_ADDR="203.0.113.4", HTTP_USER_AGENT="agent/1"))
    assert (ctx.client_address, ctx.user_agent) == ("203.0.113.4", "agent/1")
    assert len(ctx.request_id) == 32
    assert context.current().client_address == "-"


def test_user_agent_is_truncated(rf: RequestFactory) -> None:
    """Only the first 300 characters of a user agent are kept."""
    assert len(_seen(rf.get("/", HTTP_USER_AGENT="x" * 1000)).user_agent) == 300


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("abc-123", True),
        ("A" * 64, True),
        ("A" * 65, False),
        ("", False),
        ("abc 123", False),
        ("abc_123", False),
        ("abc\n123", False),
        ("<script>", False),
    ],
)
def test_request_id_header_is_used_only_when_safe(
    rf: RequestFactory, header: str, kept: bool
) -> None:
    """A safe X-Request-ID is kept; anything else is replaced by a fresh uuid4 hex."""
    value = request_id(rf.get("/", HTTP_X_REQUEST_ID=header))
    if kept:
        assert value == header
    else:
        assert value != header
        assert len(value) == 32


def test_forwarded_for_is_ignored_without_trusted_proxies(rf: RequestFactory) -> None:
    """A client cannot choose the address it is recorded under."""
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == "10.0.0.2"


@override_settings(KEEL_TRUSTED_PROXY_COUNT=1)
def test_forwarded_for_is_read_behind_one_trusted_proxy(rf: RequestFactory) -> None:
    """With one proxy, the rightmost X-Forwarded-For entry (the one it wrote) is the client."""
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"


@override_settings(KEEL_TRUSTED_PROXY_COUNT=2)
def test_forwarded_for_behind_two_proxies_and_malformed_values(rf: RequestFactory) -> None:
    """Two proxies: second entry from the right; too few or invalid entries fall back."""
    good = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 2001:db8::1, 10.0.0.1"
    )
    assert client_address(good) == "2001:db8::1"
    short = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(short) == "10.0.0.2"
    junk = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.1")
    assert client_address(junk) == "10.0.0.2"


def test_missing_remote_addr_is_recorded_as_a_dash(rf: RequestFactory) -> None:
    """An address that is not an IP (e.g. a unix socket) is not stored as if it were."""
    request = rf.get("/")
    request.META["REMOTE_ADDR"] = ""
    assert client_address(request) == "-"
