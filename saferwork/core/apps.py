from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "saferwork.core"
    label = "core"

    def ready(self) -> None:
        from saferwork.core import tasks  # noqa: F401 - connects the running-task signals
        from saferwork.lib import email

        checks.register(email.check_programme_contact)
        checks.register(email.check_programme_contact_is_not_the_demo, deploy=True)
