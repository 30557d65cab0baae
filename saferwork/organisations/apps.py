from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "saferwork.organisations"
    label = "organisations"
