"""The clinic's approved education page, for its patients and staff."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.consent.permissions import access_education_reading
from keel.consent.text import text_blocks


@require_GET
@with_actor
def education_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's approved education page, with the crisis numbers, for patients and staff."""
    reading = access_education_reading(actor=actor)
    page = reading.page
    return render(
        request,
        "consent/education.html",
        {
            "clinic": reading.clinic,
            "page": page,
            "blocks": text_blocks(page.body) if page is not None else [],
        },
    )
