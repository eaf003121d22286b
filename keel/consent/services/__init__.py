"""Writes of the consent app: document versions, signatures, withdrawals, PDF copies."""

from __future__ import annotations

from keel.consent.services.consents import (
    ConsentPdfDamaged,
    consent_pdf,
    consent_sign,
    consent_template_preview_pdf,
    consent_withdraw,
)
from keel.consent.services.documents import (
    consent_template_approve,
    consent_template_create_version,
    consent_template_install_sample,
    consent_template_submit,
    consent_template_update,
    document_approve,
    document_create_version,
    document_install_sample,
    document_submit,
    document_update,
    education_page_approve,
    education_page_create_version,
    education_page_install_sample,
    education_page_submit,
    education_page_update,
)

__all__ = [
    "ConsentPdfDamaged",
    "consent_pdf",
    "consent_sign",
    "consent_template_approve",
    "consent_template_create_version",
    "consent_template_install_sample",
    "consent_template_preview_pdf",
    "consent_template_submit",
    "consent_template_update",
    "consent_withdraw",
    "document_approve",
    "document_create_version",
    "document_install_sample",
    "document_submit",
    "document_update",
    "education_page_approve",
    "education_page_create_version",
    "education_page_install_sample",
    "education_page_submit",
    "education_page_update",
]
