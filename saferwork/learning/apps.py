from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "saferwork.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from saferwork.learning import duty
        from saferwork.lib import dutysteps

        dutysteps.register("learning", duty.section, order=70)
