from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "saferwork.reporting"
    label = "reporting"
    verbose_name = "Safe reporting"

    def ready(self) -> None:
        from saferwork.lib import dutysteps
        from saferwork.reporting import duty

        dutysteps.register("reporting", duty.section, order=20)
