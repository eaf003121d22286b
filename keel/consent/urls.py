from django.urls import URLPattern

from keel.consent import views  # noqa: F401 - pages are added here

app_name = "consent"

urlpatterns: list[URLPattern] = []
