from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "keel.monitoring"
    label = "monitoring"
    verbose_name = "Ratings and observations"
