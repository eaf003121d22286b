from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "keel.intake"
    label = "intake"
    verbose_name = "Intake and eligibility"
