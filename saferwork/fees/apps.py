from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "saferwork.fees"
    label = "fees"
    verbose_name = "Trainer fees"
