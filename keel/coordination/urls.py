from django.urls import path

from keel.coordination import views

app_name = "coordination"

urlpatterns = [
    path("", views.my_patients_page, name="my_patients"),
    path("patients/<int:patient_id>/", views.coordination_page, name="patient"),
    path("patients/<int:patient_id>/invite/", views.invite_view, name="invite"),
    path("patients/<int:patient_id>/acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("patients/<int:patient_id>/exception/", views.exception_view, name="exception"),
    path("patients/<int:patient_id>/letters/", views.letter_create_view, name="letter_create"),
    path(
        "patients/<int:patient_id>/letters/<int:letter_id>/pdf/",
        views.letter_pdf_view,
        name="letter_pdf",
    ),
    path("invitations/<str:token>/", views.accept_invitation_page, name="accept"),
]
