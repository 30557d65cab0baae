from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "saferwork.risk"
    label = "risk"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from saferwork.actions import sources
        from saferwork.lib import dutysteps
        from saferwork.risk import duty, selectors

        sources.register(selectors.CONTROL_SOURCE, "Risk assessment control", describe=selectors.describe_for_actions)
        dutysteps.register("risk", duty.section, order=40)
