from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "keel.coordination"
    label = "coordination"
    verbose_name = "Coordination with the psychiatrist of record"
