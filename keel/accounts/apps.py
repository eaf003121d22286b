from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keel.accounts"
    label = "accounts"
    verbose_name = "Accounts and clinics"
