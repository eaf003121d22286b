from keel.consent import views  # noqa: F401 - pages are added here

app_name = "consent"

urlpatterns: list = []  # filled in by the consent pages
