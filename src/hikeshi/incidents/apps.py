from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "hikeshi.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        # The incident page's own panels; other apps register theirs in their ready().
        from hikeshi.incidents.views.panels import register_incident_panels

        register_incident_panels()
