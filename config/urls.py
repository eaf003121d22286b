"""URL configuration: pages, the JSON API under /api/v1/."""

from django.urls import include, path

from config.api import api
from keel.accounts import views as account_views
from keel.common import views as common_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("keel.accounts.urls")),
    path("patients/", include("keel.patients.urls")),
    path("audit/", include("keel.audit.urls")),
    path("intake/", include("keel.intake.urls")),
    path("consent/", include("keel.consent.urls")),
    path("coordination/", include("keel.coordination.urls")),
    path("treatment/", include("keel.treatment.urls")),
    path("inventory/", include("keel.inventory.urls")),
    path("monitoring/", include("keel.monitoring.urls")),
    path("portal/", include("keel.monitoring.portal_urls")),
    path("alerts/", include("keel.alerts.urls")),
    path("outcomes/", include("keel.outcomes.urls")),
    path("api/v1/", api.urls),
    path("favicon.ico", common_views.favicon, name="favicon"),
]

handler404 = "keel.common.errors.page_not_found"
handler500 = "keel.common.errors.server_error"
