from django.contrib import admin

from saferwork.organisations.models import Organisation

# Memberships are deliberately not in the admin: roles change only through the audited
# services in ``organisations.services`` (the People page), so that giving a role needs
# sudo mode and taking the case-handler role away deletes report keys at once.


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
