from django.urls import path

from keel.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("worklist/", views.worklist_page, name="worklist"),
    path("patients/<int:patient_id>/life-chart/", views.life_chart_page, name="life_chart"),
    path(
        "patients/<int:patient_id>/life-chart.json", views.life_chart_json, name="life_chart_data"
    ),
]
