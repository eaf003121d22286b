from django.urls import path

from keel.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list_page, name="list"),
    path("<int:alert_id>/", views.alert_page, name="detail"),
    path("<int:alert_id>/acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("<int:alert_id>/resolve/", views.resolve_view, name="resolve"),
    path("<int:alert_id>/contact/", views.contact_view, name="contact"),
    path("<int:alert_id>/review/", views.review_view, name="review"),
    path("<int:alert_id>/clear-hold/", views.clear_hold_view, name="clear_hold"),
    path(
        "<int:alert_id>/same-day-assessment/",
        views.dosing_assessment_view,
        name="dosing_assessment",
    ),
    path("patient/<int:patient_id>/", views.patient_alerts_panel, name="patient_panel"),
    path("on-call/", views.on_call_page, name="on_call"),
    path("on-call/<int:entry_id>/remove/", views.on_call_remove_view, name="on_call_remove"),
    path("on-call/<int:entry_id>/move/", views.on_call_move_view, name="on_call_move"),
    path("report/", views.report_page, name="report"),
]
