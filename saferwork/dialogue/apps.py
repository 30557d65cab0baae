from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "saferwork.dialogue"
    label = "dialogue"
    verbose_name = "Leadership dialogue"

    def ready(self) -> None:
        from saferwork.actions import sources
        from saferwork.dialogue import duty, services
        from saferwork.lib import dutysteps

        sources.register(
            services.SOURCE_KIND, "Leadership dialogue action plan", describe=services.describe_for_actions
        )
        dutysteps.register("dialogue", duty.section, order=65)
