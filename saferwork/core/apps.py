from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saferwork.core"
    label = "core"
