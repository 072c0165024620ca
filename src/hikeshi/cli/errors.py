"""Errors a person can act on, shown as one line on stderr instead of a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer

from hikeshi.config import ConfigError
from hikeshi.incidents.refusals import AccessRefused, NotVisible
from hikeshi.incidents.services.errors import ConflictError, InvalidInput

P = ParamSpec("P")
R = TypeVar("R")

# Click's convention, kept so scripts can tell a mistyped command from a failed one.
USAGE_EXIT_CODE = 2


class CliError(Exception):
    """A failure the command explains in one line; ``exit_code`` is what the process returns."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageProblem(CliError):
    """A value on the command line that cannot be used (exit code 2, like Click's)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE_EXIT_CODE)


def fail(message: str, exit_code: int = 1) -> NoReturn:
    """Print ``Error: message`` on stderr and leave with ``exit_code``."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(exit_code)


# The services name the record's field; the person typed an option.
_OPTION_FOR_FIELD = {
    "performed_at": "--at",
    "detected_at": "--detected-at",
    "what": "--what",
    "scope": "--scope",
    "settings": "--settings",
    "note": "--note",
    "reason": "--reason",
    "title": "--title",
    "types": "--type",
}


# Where to find what a person may see, after "no such …".
_LISTED_BY = {
    "incident": "`hikeshi incident list` shows them",
    "job": "`hikeshi job list` shows them",
}


def _refusal(error: AccessRefused) -> str:
    hint = _LISTED_BY.get(error.subject) if isinstance(error, NotVisible) else None
    # The command line speaks English (hikeshi.cli.runtime.setup_django activates it).
    return f"{error.translated()}; {hint}" if hint else error.translated()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def describe(error: Exception) -> tuple[str, int] | None:
    """Return the one-line message and exit code for an error a person can act on, or None."""
    if isinstance(error, CliError):
        return error.message, error.exit_code
    if isinstance(error, ConfigError):
        return f"configuration: {error} (see `hikeshi config`)", 1
    if isinstance(error, InvalidInput):
        return f"{_OPTION_FOR_FIELD.get(error.field, error.field)}: {error.english}", 1
    if isinstance(error, ConflictError):
        return str(error), 1
    if isinstance(error, AccessRefused):
        return _refusal(error), 1
    # Imported here: these modules load Django, which commands like --help must not wait for.
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError

    if isinstance(error, ValidationError):
        return "; ".join(error.messages), 1
    if isinstance(error, DatabaseError):
        return f"the database refused the operation: {_first_line(error)}", 1
    return None


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Return the command wrapped so that errors a person can act on end it with one line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except Exception as error:
            described = describe(error)
            if described is None:
                raise
            fail(*described)

    return wrapper
