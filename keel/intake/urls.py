from keel.intake import views  # noqa: F401 - pages are added here

app_name = "intake"

urlpatterns: list[URLPattern] = []  # filled in by the intake pages
