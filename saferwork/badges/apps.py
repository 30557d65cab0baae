from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class BadgesConfig(AppConfig):
    name = "saferwork.badges"
    label = "badges"
    verbose_name = "Digital badges"

    def ready(self) -> None:
        checks.register(check_signing_key, checks.Tags.security)


def check_signing_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A configured key that cannot be used stops the server at start-up.

    A missing key is not reported here (deployments that never issue badges need none);
    without DEBUG or tests, issuing or publishing a badge then fails loudly at first use.
    """
    from django.conf import settings

    from saferwork.badges import keys

    if not settings.BADGE_SIGNING_KEY:
        return []
    try:
        keys.signing_key()
        keys.verification_keys()
    except keys.KeyConfigurationError as exc:
        return [checks.Error(str(exc), id="badges.E001")]
    return []
