"""Errors the services raise for callers (web, API, CLI) to show to a person."""

from __future__ import annotations

from hikeshi.bounds import OutOfBounds


class ConflictError(Exception):
    """Someone else changed the incident since the caller read it."""

    def __init__(self, incident_id: int, expected: int, current: int | None) -> None:
        self.incident_id = incident_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"incident {incident_id} was changed by someone else (you edited version "
            f"{expected}, it is now {current}); reload it and apply your change again"
        )


class InvalidInput(ValueError):
    """Input that breaks a rule of the record; ``field`` names the offending field.

    ``message`` is an English message id (marked with gettext_noop where it is written);
    ``params`` fill its ``%(name)s`` placeholders once it is translated for the reader.
    """

    def __init__(self, field: str, message: str, **params: str | int) -> None:
        self.field = field
        self.message = message
        self.params = params
        super().__init__(f"{field}: {self.english}")

    @classmethod
    def out_of_bounds(cls, error: OutOfBounds, field: str | None = None) -> InvalidInput:
        """Return the refusal of a value hikeshi's bounds do not take (under ``field``)."""
        return cls(field or error.field, error.message, **error.params)

    @property
    def english(self) -> str:
        """Return the message in English with its placeholders filled (API, CLI, logs)."""
        return self.message % self.params if self.params else self.message

    def translated(self) -> str:
        """Return the message in the active language with its placeholders filled."""
        # Imported here: the command line reads this module before it needs Django.
        from django.utils.translation import gettext

        message = gettext(self.message)
        return message % self.params if self.params else message
