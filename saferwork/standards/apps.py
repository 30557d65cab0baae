from typing import Any

from django.apps import AppConfig


def _member_joined(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every way into an organisation (an invitation accepted, a join request approved and
    then accepted, the demo's seeding) creates a ``Membership`` row: asking the newcomer to
    read what was published for everyone hangs on that one moment, in its transaction."""
    if created and not raw:
        from saferwork.standards import services

        services.ask_new_member(organisation_id=instance.organisation_id, user_id=instance.user_id)


class StandardsConfig(AppConfig):
    name = "saferwork.standards"
    label = "standards"
    verbose_name = "Behavioural standards and policies"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from saferwork.lib import dutysteps
        from saferwork.organisations.models import Membership
        from saferwork.standards import duty

        dutysteps.register("standards", duty.section, order=67)
        post_save.connect(_member_joined, sender=Membership, dispatch_uid="standards.member_joined")
