from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "saferwork.surveys"
    verbose_name = "Climate surveys"

    def ready(self) -> None:
        from saferwork.lib import dutysteps
        from saferwork.surveys import duty

        dutysteps.register("surveys", duty.section, order=30)
        # A leader turns a survey result into an action (see saferwork.actions.sources).
        from saferwork.actions import sources
        from saferwork.surveys import selectors

        sources.register("survey_result", "Survey result", describe=selectors.describe_result_for_actions)
