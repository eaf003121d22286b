from django.urls import path

from keel.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list_page, name="list"),
    path("new/", views.patient_create_page, name="create"),
    path("<int:patient_id>/", views.patient_detail_page, name="detail"),
    path("<int:patient_id>/edit/", views.patient_edit_page, name="edit"),
]
