from django.urls import URLPattern, path

from keel.consent import views

app_name = "consent"

_TEMPLATE = {"kind": "template"}
_EDUCATION = {"kind": "education_page"}

urlpatterns: list[URLPattern] = [
    # Consent form versions (clinic admins).
    path("templates/", views.document_list_page, _TEMPLATE, name="template_list"),
    path("templates/new/", views.document_create_page, _TEMPLATE, name="template_create"),
    path(
        "templates/<int:document_id>/",
        views.document_detail_page,
        _TEMPLATE,
        name="template_detail",
    ),
    path(
        "templates/<int:document_id>/edit/",
        views.document_edit_page,
        _TEMPLATE,
        name="template_edit",
    ),
    path(
        "templates/<int:document_id>/submit/",
        views.document_submit_page,
        _TEMPLATE,
        name="template_submit",
    ),
    path(
        "templates/<int:document_id>/approve/",
        views.document_approve_page,
        _TEMPLATE,
        name="template_approve",
    ),
    path("templates/<int:document_id>/pdf/", views.template_pdf_page, name="template_pdf"),
    path("preview/", views.text_preview_partial, name="text_preview"),
    # Education page versions (clinic admins).
    path("education/pages/", views.document_list_page, _EDUCATION, name="education_page_list"),
    path(
        "education/pages/new/", views.document_create_page, _EDUCATION, name="education_page_create"
    ),
    path(
        "education/pages/<int:document_id>/",
        views.document_detail_page,
        _EDUCATION,
        name="education_page_detail",
    ),
    path(
        "education/pages/<int:document_id>/edit/",
        views.document_edit_page,
        _EDUCATION,
        name="education_page_edit",
    ),
    path(
        "education/pages/<int:document_id>/submit/",
        views.document_submit_page,
        _EDUCATION,
        name="education_page_submit",
    ),
    path(
        "education/pages/<int:document_id>/approve/",
        views.document_approve_page,
        _EDUCATION,
        name="education_page_approve",
    ),
    # The approved education page, for the clinic's patients and staff.
    path("education/", views.education_page, name="education"),
    # A patient's consent (staff).
    path("patients/<int:patient_id>/", views.patient_consent_page, name="patient"),
    path("patients/<int:patient_id>/sign/", views.patient_sign_page, name="patient_sign"),
    path(
        "patients/<int:patient_id>/withdraw/", views.patient_withdraw_page, name="patient_withdraw"
    ),
    path("consents/<int:consent_id>/pdf/", views.consent_pdf_page, name="consent_pdf"),
]
