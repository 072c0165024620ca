"""The progress board: running jobs' progress, heartbeats and cancel requests, written outside
the job's own transaction.

A job's work may keep one transaction open for its whole run, so that a failure, a cancel
or a killed worker leaves nothing half-written. What it reports meanwhile must be visible to
others at once, and a cancel request must reach it while that transaction is open; so
neither goes through the connection doing the work.

- PostgreSQL: the board is the Job row itself, written through a second connection of the
  same thread. The work never writes its own Job row until it ends, so the two connections
  never wait for each other.
- SQLite: the whole file has one writer at a time. A second connection to it would wait for
  the job's transaction to end, while the job waits for that write: a deadlock (until the
  busy timeout fails it). The board is therefore a second, small SQLite file beside the
  database (``<name>-jobs.sqlite3``) that holds only the live values of running jobs; the
  Job row receives them when the job ends. Losing that file loses nothing but live progress.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field

from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import JobState

# What a board raises when it is busy, away or damaged: Django's errors (PostgreSQL) and the
# sqlite3 module's (the side file).
BOARD_ERRORS = (DatabaseError, sqlite3.Error)
logger = logging.getLogger("hikeshi.jobs")


@dataclass(frozen=True)
class JobRef:
    """What the board needs to know of a job: its id and its board key."""

    pk: int
    key: uuid.UUID

    @classmethod
    def of(cls, job: Job) -> JobRef:
        """Return the reference of a loaded job."""
        return cls(job.pk, job.key)


@dataclass(frozen=True)
class BoardEntry:
    """The live values of one running job."""

    done: int
    total: int
    phase: str
    progress_at: datetime | None
    heartbeat_at: datetime | None
    cancel_requested_at: datetime | None
    cancel_requested_by_id: int | None


class Board(ABC):
    """Where running jobs' live values are written and read."""

    @abstractmethod
    def publish(self, job: JobRef, done: int, total: int, phase: str, at: datetime) -> None:
        """Record the job's progress (and that it is alive) at once, visible to everyone."""

    @abstractmethod
    def beat(self, jobs: Iterable[JobRef], at: datetime) -> None:
        """Record that the worker running these jobs is alive."""

    @abstractmethod
    def request_cancel(self, job: JobRef, user_id: int | None, at: datetime) -> None:
        """Record a request to stop the running job (the first request counts)."""

    @abstractmethod
    def cancel_requested(self, job: JobRef) -> bool:
        """Return whether someone asked the job to stop."""

    @abstractmethod
    def entries(self, jobs: Sequence[Job]) -> dict[int, BoardEntry]:
        """Return the live values of those of ``jobs`` that are running, by job id."""

    @abstractmethod
    def forget(self, job: JobRef) -> None:
        """Drop the job's live values once the Job row holds the final ones."""

    @abstractmethod
    def release(self) -> None:
        """Close the connections this thread opened to the board (before the thread ends)."""

    def live_entries(self, jobs: Sequence[Job]) -> dict[int, BoardEntry]:
        """Return entries() or, if the board cannot be read, none (the rows' values stand)."""
        try:
            return self.entries(jobs)
        except BOARD_ERRORS:
            # Live progress is for watching: a page or a job's end must not fail for it.
            logger.warning("the jobs' live progress could not be read", exc_info=True)
            return {}

    def overlay(self, jobs: Sequence[Job]) -> None:
        """Put the live values of the running ``jobs`` on the instances (for showing only)."""
        entries = self.live_entries(jobs)
        for job in jobs:
            entry = entries.get(job.pk)
            if entry is None:
                continue
            job.progress_done = entry.done
            job.progress_total = entry.total
            job.phase = entry.phase
            job.progress_at = entry.progress_at
            job.heartbeat_at = entry.heartbeat_at
            if job.cancel_requested_at is None and entry.cancel_requested_at is not None:
                job.cancel_requested_at = entry.cancel_requested_at
                job.cancel_requested_by_id = entry.cancel_requested_by_id


def _column(name: str) -> str:
    field = Job._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise LookupError(f"Job.{name} is not a column")
    return str(field.column)


class RowBoard(Board):
    """The board on PostgreSQL (and any server database): the Job row, via a second connection."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _side(self) -> BaseDatabaseWrapper:
        # A private copy of the default connection, per thread; keyed by the database's
        # settings so that a test pointing "default" elsewhere gets its own copy.
        default = connections["default"]
        identity = tuple(default.settings_dict.get(key) for key in ("HOST", "PORT", "NAME"))
        side: BaseDatabaseWrapper | None = getattr(self._local, "side", None)
        if side is None or getattr(self._local, "identity", None) != identity:
            if side is not None:
                side.close()
            side = default.copy()
            # Never wait long for a lock: a progress write that would wait for the job's
            # own transaction (a caller running the job inside one) fails fast instead.
            options = side.settings_dict.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c lock_timeout=5000".strip()
            self._local.side = side
            self._local.identity = identity
        side.close_if_unusable_or_obsolete()
        return side

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        side = self._side()
        try:
            with side.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall()) if cursor.description else []
        except DatabaseError:
            # A broken connection must not stay cached: the next call opens a new one.
            side.close()
            raise

    def _table(self) -> str:
        return connections["default"].ops.quote_name(Job._meta.db_table)

    def publish(self, job: JobRef, done: int, total: int, phase: str, at: datetime) -> None:
        self._execute(
            f"UPDATE {self._table()} SET {_column('progress_done')} = %s, "  # noqa: S608 - names from the model
            f"{_column('progress_total')} = %s, {_column('phase')} = %s, "
            f"{_column('progress_at')} = %s, {_column('heartbeat_at')} = %s "
            f"WHERE {_column('id')} = %s AND {_column('state')} = %s",
            [done, total, phase, at, at, job.pk, JobState.RUNNING.value],
        )

    def beat(self, jobs: Iterable[JobRef], at: datetime) -> None:
        ids = [job.pk for job in jobs]
        if not ids:
            return
        marks = ", ".join(["%s"] * len(ids))
        self._execute(
            f"UPDATE {self._table()} SET {_column('heartbeat_at')} = %s "  # noqa: S608 - names from the model
            f"WHERE {_column('id')} IN ({marks}) AND {_column('state')} = %s",
            [at, *ids, JobState.RUNNING.value],
        )

    def request_cancel(self, job: JobRef, user_id: int | None, at: datetime) -> None:
        self._execute(
            f"UPDATE {self._table()} SET {_column('cancel_requested_at')} = %s, "  # noqa: S608 - names from the model
            f"{_column('cancel_requested_by')} = %s "
            f"WHERE {_column('id')} = %s AND {_column('cancel_requested_at')} IS NULL",
            [at, user_id, job.pk],
        )

    def cancel_requested(self, job: JobRef) -> bool:
        rows = self._execute(
            f"SELECT {_column('cancel_requested_at')} FROM {self._table()} "  # noqa: S608 - names from the model
            f"WHERE {_column('id')} = %s",
            [job.pk],
        )
        return bool(rows and rows[0][0] is not None)

    def entries(self, jobs: Sequence[Job]) -> dict[int, BoardEntry]:
        # The rows the caller loaded are the board: nothing more to read.
        return {}

    def forget(self, job: JobRef) -> None:
        return None

    def release(self) -> None:
        side: BaseDatabaseWrapper | None = getattr(self._local, "side", None)
        if side is not None:
            side.close()
            self._local.side = None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS job_board (
    key TEXT PRIMARY KEY,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    phase TEXT NOT NULL DEFAULT '',
    progress_at TEXT,
    heartbeat_at TEXT,
    cancel_requested_at TEXT,
    cancel_requested_by INTEGER
)
"""


def side_file_location(settings_dict: dict[str, Any], in_memory: bool) -> tuple[str, bool]:
    """Return where the SQLite board of this database lives, and whether it is a URI."""
    name = str(settings_dict["NAME"])
    if in_memory:
        # The test database: an in-memory board, shared by the process's threads.
        base = name.split("?", 1)[0].removeprefix("file:") if name.startswith("file:") else ""
        return f"file:{base or 'hikeshi'}-jobs?mode=memory&cache=shared", True
    path = Path(name)
    return str(path.with_name(f"{path.stem}-jobs{path.suffix or '.sqlite3'}")), False


class SideFileBoard(Board):
    """The board on SQLite: a second database file, so the job's write lock never blocks it."""

    def __init__(self) -> None:
        self._local = threading.local()
        # In-memory boards vanish with their last connection: keep one open per location.
        self._anchors: dict[str, sqlite3.Connection] = {}
        self._anchor_lock = threading.Lock()

    def _location(self) -> tuple[str, bool]:
        default = connections["default"]
        in_memory = bool(default.is_in_memory_db())  # type: ignore[attr-defined]
        return side_file_location(default.settings_dict, in_memory)

    def _connect(self, location: str, uri: bool) -> sqlite3.Connection:
        # Autocommit (isolation_level None): every statement is its own short transaction.
        opened = sqlite3.connect(location, uri=uri, timeout=10, isolation_level=None)
        if uri:
            # A shared in-memory board (tests) locks whole tables; readers need not wait.
            opened.execute("PRAGMA read_uncommitted = 1")
        else:
            opened.execute("PRAGMA journal_mode=WAL")
            opened.execute("PRAGMA synchronous=NORMAL")
        opened.execute(_SCHEMA)
        return opened

    def _connection(self) -> sqlite3.Connection:
        location, uri = self._location()
        if uri:
            with self._anchor_lock:
                if location not in self._anchors:
                    anchor = sqlite3.connect(location, uri=True, check_same_thread=False)
                    anchor.execute(_SCHEMA)
                    self._anchors[location] = anchor
        opened: dict[str, sqlite3.Connection] = getattr(self._local, "opened", None) or {}
        self._local.opened = opened
        if location not in opened:
            opened[location] = self._connect(location, uri)
        return opened[location]

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        self._connection().execute(sql, params)

    def publish(self, job: JobRef, done: int, total: int, phase: str, at: datetime) -> None:
        self._write(
            "INSERT INTO job_board (key, done, total, phase, progress_at, heartbeat_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET done = excluded.done, "
            "total = excluded.total, phase = excluded.phase, "
            "progress_at = excluded.progress_at, heartbeat_at = excluded.heartbeat_at",
            [str(job.key), done, total, phase, _iso(at), _iso(at)],
        )

    def beat(self, jobs: Iterable[JobRef], at: datetime) -> None:
        connection = self._connection()
        for job in jobs:
            connection.execute(
                "INSERT INTO job_board (key, heartbeat_at) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
                [str(job.key), _iso(at)],
            )

    def request_cancel(self, job: JobRef, user_id: int | None, at: datetime) -> None:
        self._write(
            "INSERT INTO job_board (key, cancel_requested_at, cancel_requested_by) "
            "VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "cancel_requested_by = coalesce(job_board.cancel_requested_by, "
            "CASE WHEN job_board.cancel_requested_at IS NULL "
            "THEN excluded.cancel_requested_by END), "
            "cancel_requested_at = coalesce(job_board.cancel_requested_at, "
            "excluded.cancel_requested_at)",
            [str(job.key), _iso(at), user_id],
        )

    def cancel_requested(self, job: JobRef) -> bool:
        row = (
            self._connection()
            .execute("SELECT cancel_requested_at FROM job_board WHERE key = ?", [str(job.key)])
            .fetchone()
        )
        return bool(row and row[0])

    def entries(self, jobs: Sequence[Job]) -> dict[int, BoardEntry]:
        running = {str(job.key): job.pk for job in jobs if job.state == JobState.RUNNING}
        if not running:
            return {}
        marks = ", ".join("?" * len(running))
        rows = (
            self._connection()
            .execute(
                "SELECT key, done, total, phase, progress_at, heartbeat_at, "  # noqa: S608 - placeholders only
                f"cancel_requested_at, cancel_requested_by FROM job_board WHERE key IN ({marks})",
                list(running),
            )
            .fetchall()
        )
        return {
            running[key]: BoardEntry(
                done=done,
                total=total,
                phase=phase,
                progress_at=_instant(progress_at),
                heartbeat_at=_instant(heartbeat_at),
                cancel_requested_at=_instant(cancel_at),
                cancel_requested_by_id=cancel_by,
            )
            for key, done, total, phase, progress_at, heartbeat_at, cancel_at, cancel_by in rows
        }

    def forget(self, job: JobRef) -> None:
        self._write("DELETE FROM job_board WHERE key = ?", [str(job.key)])

    def release(self) -> None:
        opened: dict[str, sqlite3.Connection] = getattr(self._local, "opened", None) or {}
        for connection in opened.values():
            connection.close()
        self._local.opened = {}


_BOARDS: dict[str, Board] = {}
_BOARDS_LOCK = threading.Lock()


def board() -> Board:
    """Return the board for the database in use (SQLite: the side file; else the Job row)."""
    vendor = connections["default"].vendor
    with _BOARDS_LOCK:
        if vendor not in _BOARDS:
            _BOARDS[vendor] = SideFileBoard() if vendor == "sqlite" else RowBoard()
        return _BOARDS[vendor]
