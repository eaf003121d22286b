"""The printable consent: HTML from a template in templates/consent/pdf/, then PDF bytes.

WeasyPrint may fetch nothing from outside the document: the fetcher allows
``data:`` URLs only, so a PDF never depends on the network or the disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string

from keel.consent.models import ConsentTemplate
from keel.consent.text import text_blocks
from keel.patients.models import Patient

PDF_TEMPLATE = "consent/pdf/consent.html"


@dataclass(frozen=True)
class SignatureFacts:
    """What the PDF states about the signature."""

    signed_name: str
    signed_at: dt.datetime
    signed_via_label: str
    recorded_by_name: str
    staff_attested: bool
    body_sha256: str


def consent_pdf_html(
    *, template: ConsentTemplate, patient: Patient | None, signature: SignatureFacts | None
) -> str:
    """The HTML a consent PDF is printed from (a blank form when ``signature`` is None)."""
    clinic = template.clinic
    return render_to_string(
        PDF_TEMPLATE,
        {
            "clinic": clinic,
            "document": template,
            "blocks": text_blocks(template.body),
            "patient": patient,
            "signature": signature,
            "signed_at": signature.signed_at if signature is not None else None,
            "time_zone": clinic.time_zone,
        },
    )


def pdf_from_html(html: str) -> bytes:
    """Print HTML to PDF with WeasyPrint, fetching nothing but ``data:`` URLs."""
    # Imported here: loading Pango costs time at startup.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdf: bytes = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
    return pdf
