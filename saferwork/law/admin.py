from django.contrib import admin

from saferwork.law.models import LegalRule


@admin.register(LegalRule)
class LegalRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "applies_from", "confirmed"]
    list_filter = ["key", "confirmed"]
