from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "keel.alerts"
    label = "alerts"
    verbose_name = "Alerts"
