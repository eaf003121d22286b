"""The patient portal: /portal/..."""

from django.urls import path

from keel.monitoring import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.today_page, name="today"),
    path("help/", portal_views.help_page, name="help"),
    path("diary/", portal_views.diary_page, name="diary"),
    path("scales/", portal_views.scale_page, name="scale"),
    path("invitation/<str:token>/", portal_views.invitation_page, name="invitation"),
]
