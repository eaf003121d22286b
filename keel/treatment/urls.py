from django.urls import path

from keel.treatment import views, views_safety

app_name = "treatment"

urlpatterns = [
    path("patients/<int:patient_id>/", views.course_page, name="course"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    path("sessions/<int:session_id>/vitals/", views.vitals_create, name="vitals"),
    path(
        "sessions/<int:session_id>/ratings/<slug:instrument_id>/",
        views.session_rating_page,
        name="rating",
    ),
    path("sessions/<int:session_id>/checkpoints/", views.checkpoints_partial, name="checkpoints"),
    path(
        "sessions/<int:session_id>/rems-exports/",
        views.rems_export_create,
        name="rems_export_create",
    ),
    path(
        "sessions/<int:session_id>/rems-exports/<int:export_id>/pdf/",
        views.rems_export_pdf,
        name="rems_export_pdf",
    ),
    path("sessions/<int:session_id>/vitals-chart.json", views.vitals_chart, name="vitals_chart"),
    path("sessions/<int:session_id>/summary/", views.session_summary, name="summary"),
    path(
        "sessions/<int:session_id>/exit-check/",
        views_safety.exit_check_create,
        name="exit_check",
    ),
    path(
        "sessions/<int:session_id>/exit-check/decision/",
        views_safety.exit_check_decide,
        name="exit_check_decide",
    ),
    path(
        "sessions/<int:session_id>/adverse-events/",
        views_safety.adverse_event_create,
        name="adverse_event",
    ),
    path("sessions/<int:session_id>/<slug:action>/", views.session_action, name="action"),
]
