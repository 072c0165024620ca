from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "hikeshi.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The kinds hikeshi itself ships register their work functions on import; the
        # jobs panel joins the incident page.
        from hikeshi.incidents.panels import register
        from hikeshi.jobs import kinds  # noqa: F401
        from hikeshi.jobs.panels import JOBS_PANEL

        register(JOBS_PANEL)
