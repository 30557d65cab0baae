from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "saferwork.actions"
    label = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        # "manual" is the one kind of source this app owns; other apps register theirs in
        # their own ready() (see saferwork.actions.sources).
        from saferwork.actions import duty, sources
        from saferwork.lib import dutysteps

        sources.register_builtin()
        dutysteps.register("actions", duty.section, order=60)
