from django.urls import path

from keel.accounts import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.KeelLoginView.as_view(), name="login"),
    path("logout/", views.keel_logout, name="logout"),
    path("clinic/", views.clinic_switch, name="clinic_switch"),
    path("tokens/", views.api_tokens_page, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("staff/", views.staff_page, name="staff"),
    path(
        "staff/<int:membership_id>/psychiatrist/",
        views.staff_psychiatrist_view,
        name="staff_psychiatrist",
    ),
    path("mfa/setup/", mfa_views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("security/", mfa_views.account_security, name="security"),
    path(
        "security/recovery-codes/",
        mfa_views.mfa_recovery_codes_new,
        name="mfa_recovery_codes_new",
    ),
    path("security/turn-off/", mfa_views.mfa_disable_view, name="mfa_disable"),
]
