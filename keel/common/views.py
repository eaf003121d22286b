"""Error pages shared by every app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a rejected form (usually an expired page) without technical detail."""
    return render(request, "403_csrf.html", status=403)
