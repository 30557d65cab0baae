from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "saferwork.reporting"
    label = "reporting"
    verbose_name = "Safe reporting"
