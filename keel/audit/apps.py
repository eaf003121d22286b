from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "keel.audit"
    label = "audit"
    verbose_name = "Audit trail"
