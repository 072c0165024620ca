"""Errors the services raise for callers (web, API, CLI) to show to a person."""

from __future__ import annotations


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
    """Input that breaks a rule of the record; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
