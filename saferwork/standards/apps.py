from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "saferwork.standards"
    label = "standards"
    verbose_name = "Behavioural standards and policies"

    def ready(self) -> None:
        from saferwork.lib import dutysteps
        from saferwork.standards import duty

        dutysteps.register("standards", duty.section, order=67)
