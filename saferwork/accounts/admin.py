from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from saferwork.accounts.models import Invitation, User
from saferwork.organisations import services as membership_services


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_active", "is_staff"]
    # Switching an account off goes through the service (action below), which deletes the
    # person's report keys in every organisation, audited; never a bare checkbox.
    readonly_fields = ["is_active"]
    actions = ["deactivate"]

    @admin.action(description="Deactivate the selected accounts (their report keys are deleted)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=True):
            membership_services.deactivate_user(user=user, actor=request.user)
            count += 1
        messages.success(request, f"{count} account{'s' if count != 1 else ''} deactivated.")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new account starts active; an existing one is switched off with the action.
        return self.readonly_fields if obj is not None else []


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at"]
    readonly_fields = ["token_hash"]
