from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "hikeshi.incidents"
    label = "incidents"
    verbose_name = "Incidents"
