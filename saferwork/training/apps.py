from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "saferwork.training"
    verbose_name = "Training programme"
