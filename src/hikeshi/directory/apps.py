from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "hikeshi.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # The incident page shows the incident's contacts through the panel registry.
        from hikeshi.directory import panel  # noqa: F401
