from keel.consent import views  # noqa: F401 - pages are added here

app_name = "consent"

urlpatterns: list[URLPattern] = []  # filled in by the consent pages
