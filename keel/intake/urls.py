from django.urls import path

from keel.intake import views

app_name = "intake"

urlpatterns = [
    path("patients/<int:patient_id>/", views.intake_overview_page, name="overview"),
    path("patients/<int:patient_id>/evaluation/", views.evaluation_edit_page, name="evaluation"),
    path(
        "patients/<int:patient_id>/ratings/<slug:instrument_id>/",
        views.baseline_rating_page,
        name="rating",
    ),
    path("patients/<int:patient_id>/decision/", views.decision_page, name="decision"),
    path("protocol/", views.protocol_page, name="protocol"),
]
