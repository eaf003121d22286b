"""Staff pages for check-ins: /monitoring/..."""

from django.urls import path

from keel.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("patients/<int:patient_id>/portal/", views.portal_page, name="portal"),
    path(
        "patients/<int:patient_id>/portal/invite/", views.portal_invite_view, name="portal_invite"
    ),
    path(
        "patients/<int:patient_id>/portal/revoke/", views.portal_revoke_view, name="portal_revoke"
    ),
    path(
        "patients/<int:patient_id>/portal/not-invited/",
        views.portal_not_invited_view,
        name="portal_not_invited",
    ),
    path(
        "patients/<int:patient_id>/treatment-start/",
        views.treatment_start_panel,
        name="treatment_start",
    ),
    path("patients/<int:patient_id>/check-ins/", views.check_ins_page, name="check_ins"),
    path("patients/<int:patient_id>/check-ins/defaults/", views.defaults_view, name="defaults"),
    path(
        "patients/<int:patient_id>/ratings/<str:instrument_id>/",
        views.rating_page,
        name="rating",
    ),
    path("text-packs/", views.text_packs_page, name="text_packs"),
]
