"""Error pages shared by every app, and the site icon."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

#: Keel's own icon (a hull and its keel), drawn for Keel; pages link it from the static files.
FAVICON = Path(__file__).resolve().parent.parent / "static" / "keel" / "favicon.svg"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a rejected form (usually an expired page) without technical detail."""
    return render(request, "403_csrf.html", status=403)


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own: Keel's SVG icon (public, no data)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
