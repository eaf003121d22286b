from django.urls import path

from keel.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.KeelLoginView.as_view(), name="login"),
    path("logout/", views.keel_logout, name="logout"),
    path("clinic/", views.clinic_switch, name="clinic_switch"),
    path("tokens/", views.api_tokens_page, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
