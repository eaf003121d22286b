"""Helpers shared by the consent pages."""

from __future__ import annotations

from django.http import HttpResponse

from keel.common.exceptions import ValidationFailed
from keel.consent.forms import ApproveForm, DocumentForm, SignForm, WithdrawForm


def form_errors_from(
    form: DocumentForm | SignForm | WithdrawForm | ApproveForm, exc: ValidationFailed
) -> None:
    """Show a service's field errors on the form (unknown fields on the form as a whole)."""
    for field, errors in exc.errors.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF download of exactly ``pdf``; ``filename`` must hold no patient data."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(pdf))
    return response
