from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "keel.treatment"
    label = "treatment"
    verbose_name = "Treatment courses and sessions"
