from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "saferwork.reach"
    label = "reach"
    verbose_name = "Reach, exports and retention"
