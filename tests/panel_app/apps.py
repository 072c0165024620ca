from django.apps import AppConfig


class PanelAppConfig(AppConfig):
    name = "tests.panel_app"
    label = "panel_app"

    def ready(self) -> None:
        from tests.panel_app.panels import EVIDENCE_PANEL

        from hikeshi.incidents.panels import register

        register(EVIDENCE_PANEL)
