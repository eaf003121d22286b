"""Cross-cutting response headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Send ``Cache-Control: no-store`` on every dynamic response.

    Pages and API answers may carry patient data; none of it may stay in a
    browser or proxy cache (ONC 170.315(d)(7): no EHI left on the device).
    Static files are served earlier by WhiteNoise and keep their caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
