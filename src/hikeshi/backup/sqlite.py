"""The SQLite database: a consistent copy through the online backup API, and its checks."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from hikeshi.backup.manifest import BackupError, TableDigest
from hikeshi.backup.tables import sqlite_digests

# The database file's name, in the data folder and in the archive's database/ folder.
SQLITE_FILE = "hikeshi.sqlite3"


def snapshot(source: sqlite3.Connection, target: Path) -> dict[str, TableDigest]:
    """Return the table digests of a copy of ``source`` written to ``target``.

    The copy is one step of SQLite's backup API: it reads inside one read transaction, so
    it is the database as of one moment, while hikeshi goes on writing (in WAL mode the
    writers are not blocked). A copy made in several steps would start again after every
    write of another connection, and might never finish on a busy server.
    """
    with closing(sqlite3.connect(target)) as copy:
        source.backup(copy, pages=-1)
        # A single file: the copy must not need a -wal beside it to be complete.
        copy.execute("PRAGMA journal_mode=DELETE")
    return digests_of(target)


def digests_of(path: Path) -> dict[str, TableDigest]:
    """Return the table digests of the SQLite file at ``path``, opened read-only."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as database:
            check = database.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"the SQLite database {path} is damaged: {check}")
            return sqlite_digests(database)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error})") from None


def applied_migrations(path: Path) -> list[str]:
    """Return ``app.name`` of every migration recorded in the SQLite file at ``path``."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as database:
        try:
            rows = database.execute("SELECT app, name FROM django_migrations ORDER BY id")
            return [f"{app}.{name}" for app, name in rows]
        except sqlite3.OperationalError:
            return []
