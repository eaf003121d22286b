from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "keel.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from keel.alerts import checks  # noqa: F401  (registers the deploy check)
