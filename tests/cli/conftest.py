"""Run `hikeshi` in-process against the test database, as a person would type it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from hikeshi.cli import app

Run = Callable[..., Result]


@pytest.fixture
def hikeshi(db: None) -> Run:
    """Return a function running `hikeshi ARGS...`; ``input`` feeds stdin."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return run
