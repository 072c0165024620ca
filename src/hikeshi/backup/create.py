"""Writing a backup of the configured database and data folder (Django is set up)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from hikeshi.backup import postgres, sqlite
from hikeshi.backup.archive import ArchiveWriter, compression_of
from hikeshi.backup.manifest import (
    DATA_FOLDER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    BackupError,
    DatabaseSnapshot,
    FileEntry,
    Manifest,
    Progress,
    Secret,
)
from hikeshi.backup.selection import select


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote, for the command to tell."""

    archive: Path
    size: int
    manifest: Manifest
    manifest_sha256: str
    database_note: str
    skipped: list[str]


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _snapshot_database(
    workdir: Path, method: postgres.Method, progress: Progress
) -> tuple[DatabaseSnapshot, list[tuple[str, Path]], str]:
    """Return the snapshot's description, its files (archive name, path) and how it was made."""
    from django.db import connection

    if connection.in_atomic_block:
        # SQLite's backup would wait forever on this connection's own open transaction,
        # and PostgreSQL's snapshot would not see what it has not committed.
        raise BackupError("a backup cannot be taken inside an open database transaction")
    pending = _pending_migrations()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = workdir / sqlite.SQLITE_FILE
        progress.begin("Copying the database", None)
        source: sqlite3.Connection = connection.connection
        tables = sqlite.snapshot(source, target)
        snapshot = DatabaseSnapshot(
            vendor="sqlite",
            method="sqlite-backup",
            server_version=sqlite3.sqlite_version,
            migrations=sqlite.applied_migrations(target),
            pending_migrations=pending,
            tables=tables,
        )
        return snapshot, [(f"database/{sqlite.SQLITE_FILE}", target)], "SQLite online backup"
    if connection.vendor == "postgresql":
        params = postgres.connection_params(connection.settings_dict)
        dumped = postgres.dump(params, method, workdir, progress)
        snapshot = DatabaseSnapshot(
            vendor="postgresql",
            method=dumped.method,
            server_version=dumped.server_version,
            pg_dump_major=dumped.pg_dump_major,
            migrations=dumped.migrations,
            pending_migrations=pending,
            tables=dumped.tables,
            sequences=dumped.sequences,
        )
        return snapshot, dumped.files, dumped.note
    raise BackupError(f"hikeshi cannot back up a {connection.vendor} database")


def _check_target(out: Path, data_dir: Path, overwrite: bool) -> None:
    compression_of(out)
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a folder; create it or choose another place")
    if out.is_relative_to(data_dir):
        raise BackupError(
            f"{out} is inside the data folder {data_dir}; write the backup elsewhere "
            "(a backup kept with what it backs up is lost with it)"
        )
    if out.exists() and not overwrite:
        raise BackupError(f"{out} exists; choose another name or pass --overwrite")


def create_backup(
    out: Path,
    *,
    include_secrets: bool,
    postgres_method: postgres.Method,
    overwrite: bool,
    progress: Progress,
) -> BackupReport:
    """Return the report of a backup written atomically to ``out``.

    The database is copied first, then the files: evidence files are written before the
    rows that name them, so every file the copied database names is already there.
    """
    import django
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR).resolve()
    out = out.expanduser().resolve()
    _check_target(out, data_dir, overwrite)
    writer = ArchiveWriter(out)
    workdir = Path(tempfile.mkdtemp(dir=out.parent, prefix=".hikeshi-backup-"))
    try:
        snapshot, database_files, note = _snapshot_database(workdir, postgres_method, progress)
        entries: list[FileEntry] = []
        progress.begin("Writing the database", sum(p.stat().st_size for _, p in database_files))
        for name, path in database_files:
            entries.append(writer.add_file(name, path, progress))
        chosen = select(data_dir, include_secrets=include_secrets, exclude={writer.temporary})
        skipped = list(chosen.skipped)
        progress.begin("Copying the data folder", sum(f.size for f in chosen.files))
        for data_file in chosen.files:
            try:
                entries.append(
                    writer.add_file(f"{DATA_FOLDER}/{data_file.relative}", data_file.path, progress)
                )
            except FileNotFoundError:
                skipped.append(f"{data_file.relative} (removed while the backup ran)")
        manifest = Manifest(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            created_at=datetime.now(UTC),
            hikeshi_version=version("hikeshi"),
            django_version=django.get_version(),
            database=snapshot,
            secrets_included=include_secrets,
            files=entries,
            secrets=[
                Secret(path=path, what=what, included=include_secrets)
                for path, what in chosen.secrets
            ],
        )
        data = manifest.to_json()
        writer.add_bytes(MANIFEST_NAME, data)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return BackupReport(
        archive=out,
        size=out.stat().st_size,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        database_note=note,
        skipped=skipped,
    )
