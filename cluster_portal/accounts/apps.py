from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cluster_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
