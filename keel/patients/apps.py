from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "keel.patients"
    label = "patients"
    verbose_name = "Patients"
