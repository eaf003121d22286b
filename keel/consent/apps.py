from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "keel.consent"
    label = "consent"
    verbose_name = "Informed consent and patient education"
