"""Fixtures for the site log tests: the command line in-process and raw SQL on the log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.sitelog.models import SiteLogEntry

Run = Callable[..., Result]
TABLE = SiteLogEntry._meta.db_table


@pytest.fixture
def hikeshi(db: None) -> Run:
    """Return a function running `hikeshi ARGS...`; ``input`` feeds stdin."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        # Wide enough that phrases stay on one line whatever terminal runs the suite
        # (pytest-xdist's workers set COLUMNS=80).
        return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200"})

    return run


def raw(sql: str, params: list[object]) -> None:
    """Run SQL behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def kinds() -> list[str]:
    """Return the kinds of every site log entry, oldest first."""
    return list(SiteLogEntry.objects.order_by("sequence").values_list("kind", flat=True))
