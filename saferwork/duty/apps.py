from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "saferwork.duty"
    label = "duty"
    verbose_name = "Policy audits and the duty record"

    def ready(self) -> None:
        # A gap found by a policy audit is a source of actions; the audits held and the
        # gaps closed are this app's part of the duty record.
        from saferwork.actions import sources
        from saferwork.duty import duty, selectors, surveys
        from saferwork.lib import dutysteps

        sources.register(selectors.GAP_SOURCE, "Policy audit gap", describe=selectors.describe_gap)
        dutysteps.register("duty", duty.section, order=50)
        # Beside the surveys app's waves: each wave's released response figures and its action plan.
        dutysteps.register("survey_responses", surveys.section, order=31)
