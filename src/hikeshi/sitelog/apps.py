from django.apps import AppConfig


class SiteLogConfig(AppConfig):
    name = "hikeshi.sitelog"
    label = "sitelog"
    verbose_name = "Site log"
