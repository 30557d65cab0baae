"""factory_boy factories and helpers shared by every app's tests."""

from __future__ import annotations

from typing import Any

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferwork.accounts.models import User
from saferwork.organisations.models import Membership, Organisation

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = "union"
    region = "London"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        kwargs.setdefault("password", PASSWORD)
        return model_class.objects.create_user(*args, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


def add_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def member(organisation: Organisation, *, email: str | None = None, with_device: bool = True, **flags: bool) -> User:
    """A user with one membership in ``organisation`` holding ``flags``; with an authenticator."""
    user: User = UserFactory(**({"email": email} if email else {}))  # type: ignore[assignment]
    MembershipFactory(user=user, organisation=organisation, **flags)
    if with_device:
        add_totp(user)
    return user


def sign_in_verified(client: Any, user: User) -> None:
    """Sign ``user`` in on the Django test client with a verified second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


LAW_RULE_MIGRATIONS = ("0002_initial_rules", "0003_preventative_duty")


def load_legal_rules() -> None:
    """The law's dated rules as the data migrations seed them (idempotent)."""
    import importlib

    from saferwork.law.models import LegalRule

    for migration in LAW_RULE_MIGRATIONS:
        for rule in importlib.import_module(f"saferwork.law.migrations.{migration}").RULES:
            LegalRule.objects.get_or_create(key=rule["key"], applies_from=rule["applies_from"], defaults=rule)
