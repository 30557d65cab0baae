from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "saferwork.audit"
    label = "audit"
