from django.urls import URLPattern

from keel.coordination import views  # noqa: F401 - pages are added here

app_name = "coordination"

urlpatterns: list[URLPattern] = []
