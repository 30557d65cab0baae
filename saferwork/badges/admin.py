from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from saferwork.badges.models import Achievement, Credential


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    """Programme staff may reword an achievement; badges already signed keep their wording."""

    list_display = ["name", "slug", "neutral_name", "neutral_slug", "organisation"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Read-only: badges are issued and revoked through the services, never edited."""

    list_display = ["id", "achievement", "show_topic", "awarded_on", "issued_at", "revoked_at"]
    list_filter = ["show_topic", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
