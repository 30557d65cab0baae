from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "saferwork.accounts"
    label = "accounts"
