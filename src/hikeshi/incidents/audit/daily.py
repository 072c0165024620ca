"""The daily checkpoint of `hikeshi serve`: a daemon thread that takes one when due.

Kept deliberately small (a background-job system can take it over): every hour it looks at
the newest checkpoint's time and takes a new one when that is a day old or there is none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.db import close_old_connections, connection
from django.utils import timezone

from hikeshi.incidents.audit.checkpoints import newest_checkpoint_time, take_quietly

MAX_AGE = timedelta(hours=24)
# How often the thread looks; the first look waits this long too, so that a server that
# starts and stops at once (or a test of `serve`) touches neither database nor files.
INTERVAL_SECONDS = 3600.0
FIRST_LOOK_SECONDS = 60.0


def checkpoint_due(now: datetime, folder: Path | None = None) -> bool:
    """Return whether the newest checkpoint is a day old or missing."""
    newest = newest_checkpoint_time(folder)
    return newest is None or now - newest >= MAX_AGE


def take_if_due(now: datetime | None = None) -> Path | None:
    """Return the file of a checkpoint taken because one was due, or None."""
    if not checkpoint_due(now or timezone.now()):
        return None
    return take_quietly("daily")


def _run(stop: threading.Event, first_look: float, interval: float) -> None:
    wait = first_look
    while not stop.wait(wait):
        close_old_connections()
        take_if_due()
        # The thread's own connection: closed between looks, not held open for an hour.
        connection.close()
        wait = interval


@contextmanager
def daily_checkpoints(
    first_look: float = FIRST_LOOK_SECONDS, interval: float = INTERVAL_SECONDS
) -> Iterator[threading.Thread]:
    """Run the daily checkpoint thread while the block runs; stop it when the block ends."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_run, args=(stop, first_look, interval), name="hikeshi-checkpoints", daemon=True
    )
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=5)
