from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "keel.monitoring"
    label = "monitoring"
    verbose_name = "Ratings and observations"

    def ready(self) -> None:
        from keel.monitoring import checks  # noqa: F401  (registers the deploy check)
