from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "keel.demo"
    label = "demo"
    verbose_name = "Demo clinic"
