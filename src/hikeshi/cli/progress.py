"""Progress bars on stderr for long copies, shown only when stderr is a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class ByteProgress:
    """One bar per step, in bytes; a step of unknown size shows a spinner."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._done = 0

    def begin(self, label: str, total: int | None) -> None:
        """Mark the previous step complete and start a bar for ``label``."""
        if self._task is not None:
            self._progress.update(self._task, total=self._done, completed=self._done)
        self._task = self._progress.add_task(label, total=total)
        self._done = 0

    def advance(self, done: int) -> None:
        """Move the current bar on by ``done`` bytes."""
        if self._task is not None:
            self._done += done
            self._progress.advance(self._task, done)


@contextmanager
def byte_progress() -> Iterator[ByteProgress]:
    """Yield a ByteProgress drawing on stderr; nothing is drawn when it is not a terminal."""
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        yield ByteProgress(progress)
