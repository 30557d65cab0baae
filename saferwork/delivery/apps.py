from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "saferwork.delivery"
    label = "delivery"
    verbose_name = "After the session: attendance, evaluation, badges"
