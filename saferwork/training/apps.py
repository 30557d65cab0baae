from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "saferwork.training"
    verbose_name = "Training programme"

    def ready(self) -> None:
        from saferwork.lib import dutysteps
        from saferwork.training import duty

        dutysteps.register("training", duty.section, order=10)
