from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "saferwork.recruitment"
    verbose_name = "Trainer recruitment"
