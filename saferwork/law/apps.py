from django.apps import AppConfig


class LawConfig(AppConfig):
    name = "saferwork.law"
    label = "law"
    verbose_name = "Dated law"
