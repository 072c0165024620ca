from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "hikeshi.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The kinds hikeshi itself ships register their work functions on import.
        from hikeshi.jobs import kinds  # noqa: F401
