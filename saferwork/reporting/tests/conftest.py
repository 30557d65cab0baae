from __future__ import annotations

from typing import Any

import pytest

from saferwork.reporting import crypto, keys, services
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _cheap_argon2(settings: Any, tmp_path: Any) -> None:
    # Production uses opslimit 16 and 128 MiB; the tests check behaviour, not strength.
    settings.REPORTING_ARGON2_OPSLIMIT = 1
    settings.REPORTING_ARGON2_MEMLIMIT_KIB = 64
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def make_handler(organisation: Any, email: str | None = None, *, granted: bool = True, **flags: bool) -> Any:
    """A case handler with a reporting key wrapped under the test password; unless
    ``granted=False``, given the organisation's reports with its recovery key (as the
    recovery-key holder would), so that new reports are sealed to them."""
    user = factories.member(organisation, is_case_handler=True, email=email, **flags)
    keys._unlock_or_create(user=user, password=PASSWORD)
    recovery = getattr(organisation, "recovery_key", None)
    if granted and recovery:
        services.grant_with_recovery_key(
            organisation=organisation, recovery_private=crypto.parse_recovery_key(recovery), user=user
        )
    return user


@pytest.fixture
def reporting_org(organisation: Any, coordinator: Any) -> Any:
    organisation.recovery_key = services.enable_reporting(
        organisation=organisation, actor=coordinator, handler_private=None
    )
    return organisation


@pytest.fixture
def handler(reporting_org: Any) -> Any:
    return make_handler(reporting_org, email="handler@example.org")


@pytest.fixture
def second_handler(reporting_org: Any) -> Any:
    return make_handler(reporting_org, email="second@example.org")
