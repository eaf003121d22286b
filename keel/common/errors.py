"""Map application errors to HTML responses in one place (STYLE.md section 2)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.common.exceptions import ApplicationError, NotFound, PermissionDenied


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 page: the same for a missing record and one outside the user's scope."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page without technical detail."""
    return render(request, "500.html", status=500)


def _render_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if isinstance(exc, NotFound):
        return page_not_found(request)
    template = "403.html" if isinstance(exc, PermissionDenied) else "error.html"
    return render(request, template, {"message": exc.message}, status=exc.status_code)


class ApplicationErrorMiddleware:
    """Turn an ``ApplicationError`` escaping a page view into its error page.

    API operations map errors through the Ninja exception handlers instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render application errors; leave everything else to Django."""
        if isinstance(exception, ApplicationError):
            return _render_error(request, exception)
        return None
