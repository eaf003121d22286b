"""Pages of the consent app.

Clinic admins write, preview and approve consent forms and the education
page; staff record a patient's signature or withdrawal; patients and staff
read the clinic's approved education page. Form posts answer 302 on
success, 422 with the form's errors, or 409 when the record's state does not
allow the change (the page then says why).
"""

from __future__ import annotations

from keel.consent.views.documents import (
    document_approve_page,
    document_create_page,
    document_detail_page,
    document_edit_page,
    document_list_page,
    document_submit_page,
    template_pdf_page,
    text_preview_partial,
)
from keel.consent.views.education import education_page
from keel.consent.views.patients import (
    consent_pdf_page,
    patient_consent_page,
    patient_sign_page,
    patient_withdraw_page,
)

__all__ = [
    "consent_pdf_page",
    "document_approve_page",
    "document_create_page",
    "document_detail_page",
    "document_edit_page",
    "document_list_page",
    "document_submit_page",
    "education_page",
    "patient_consent_page",
    "patient_sign_page",
    "patient_withdraw_page",
    "template_pdf_page",
    "text_preview_partial",
]
