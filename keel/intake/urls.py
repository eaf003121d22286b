from django.urls import URLPattern

from keel.intake import views  # noqa: F401 - pages are added here

app_name = "intake"

urlpatterns: list[URLPattern] = []
