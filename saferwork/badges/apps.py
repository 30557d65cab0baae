from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class BadgesConfig(AppConfig):
    name = "saferwork.badges"
    label = "badges"
    verbose_name = "Digital badges"

    def ready(self) -> None:
        checks.register(check_signing_key, checks.Tags.security, deploy=False)


def check_signing_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse to run outside development without the programme's real signing key."""
    from django.conf import settings

    from saferwork.badges import keys

    messages: list[checks.CheckMessage] = []
    try:
        keys.signing_key()
    except keys.KeyConfigurationError as exc:
        messages.append(checks.Error(str(exc), id="badges.E001"))
    if not settings.BADGE_SIGNING_KEY and not (settings.DEBUG or getattr(settings, "TESTING", False)):
        messages.append(
            checks.Error(
                "BADGE_SIGNING_KEY (or BADGE_SIGNING_KEY_FILE) must be set: badges would be signed "
                "with a development key.",
                id="badges.E002",
            )
        )
    return messages
