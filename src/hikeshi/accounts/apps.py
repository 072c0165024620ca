from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hikeshi.accounts"
    label = "accounts"
    verbose_name = "Accounts"
