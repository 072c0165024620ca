"""Restoring a backup into an empty data folder (and, for PostgreSQL, an empty database).

Nothing is put in place before every file of the archive has been read and matched against
the manifest's SHA-256. Django is set up only for a PostgreSQL backup made with COPY (its
schema comes from the migrations), and only once the data folder holds the restored files,
so the restored secret key is the one it reads.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from hikeshi import config
from hikeshi.backup import postgres, sqlite
from hikeshi.backup.archive import extract
from hikeshi.backup.manifest import (
    DATA_FOLDER,
    MANIFEST_NAME,
    BackupError,
    FileEntry,
    Manifest,
    Progress,
)

STAGING = ".hikeshi-restore"


@dataclass(frozen=True)
class RestoreReport:
    """What a restore put where, for the command to tell."""

    data_dir: Path
    manifest: Manifest
    database: str
    files: int
    file_bytes: int


def _ensure_empty(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"{data_dir} is a file, not a folder; restore into an empty folder")
    entries = sorted(p.name for p in data_dir.iterdir()) if data_dir.exists() else []
    if entries:
        shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        raise BackupError(
            f"{data_dir} is not empty ({shown}); restore only into an empty data folder: "
            "name a new one with --data-dir (or HIKESHI_DATA_DIR)"
        )
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


def _verified(found: dict[str, FileEntry], staging: Path) -> Manifest:
    """Return the manifest once every file of the archive matches it, and nothing more."""
    if MANIFEST_NAME not in found:
        raise BackupError(
            f"the archive has no {MANIFEST_NAME}: it is not a complete hikeshi backup"
        )
    manifest = Manifest.from_json((staging / MANIFEST_NAME).read_bytes())
    listed = {entry.path: entry for entry in manifest.files}
    for name, entry in sorted(listed.items()):
        actual = found.get(name)
        if actual is None:
            raise BackupError(f"{name} is in the manifest but not in the archive; nothing restored")
        if (actual.size, actual.sha256) != (entry.size, entry.sha256):
            raise BackupError(
                f"{name} does not match the manifest (SHA-256 {actual.sha256[:16]}…, expected "
                f"{entry.sha256[:16]}…): the archive is damaged; nothing restored"
            )
    unlisted = sorted(set(found) - set(listed) - {MANIFEST_NAME})
    if unlisted:
        raise BackupError(
            f"{unlisted[0]} is in the archive but not in the manifest; nothing restored"
        )
    return manifest


def _postgres_params() -> dict[str, str]:
    import dj_database_url

    url = config.env_str("DATABASE_URL")
    return postgres.connection_params(dict(dj_database_url.parse(url)))


def _check_database_target(manifest: Manifest) -> None:
    """Raise BackupError unless the configured database can take this backup's."""
    configured = "postgresql" if config.env_str("DATABASE_URL") else "sqlite"
    vendor = manifest.database.vendor
    if vendor == "sqlite" and configured != "sqlite":
        raise BackupError(
            "the backup holds a SQLite database but DATABASE_URL points at PostgreSQL; "
            "unset DATABASE_URL to restore it into the data folder"
        )
    if vendor == "postgresql" and configured != "postgresql":
        raise BackupError(
            "the backup holds a PostgreSQL database: set DATABASE_URL to an empty "
            "PostgreSQL database to restore it into"
        )
    if vendor == "postgresql":
        from hikeshi.backup.postgres_restore import ensure_empty

        ensure_empty(_postgres_params())


def _place_files(manifest: Manifest, staging: Path, data_dir: Path) -> tuple[int, int]:
    count = size = 0
    for entry in manifest.files:
        parts = entry.path.split("/")
        if parts[0] != DATA_FOLDER:
            continue
        target = data_dir.joinpath(*parts[1:])
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging.joinpath(*parts).replace(target)
        count += 1
        size += entry.size
    return count, size


def _restore_database(manifest: Manifest, staging: Path, data_dir: Path) -> str:
    """Return where the database went, once restored and checked against its digests."""
    snapshot = manifest.database
    database = staging / "database"
    if snapshot.vendor == "sqlite":
        copied = database / sqlite.SQLITE_FILE
        found = sqlite.digests_of(copied)
        for table, digest in sorted(snapshot.tables.items()):
            if table not in found or found[table].sha256 != digest.sha256:
                raise BackupError(f"the database copy's table {table} differs from the manifest")
        target = data_dir / sqlite.SQLITE_FILE
        copied.replace(target)
        return f"SQLite {target}"
    from hikeshi.backup import postgres_restore

    params = _postgres_params()
    where = f"PostgreSQL database {params.get('dbname')} on {params.get('host', 'localhost')}"
    if snapshot.method == "pg_dump":
        postgres_restore.restore_pg_dump(params, database / "hikeshi.pgdump", snapshot)
        return where
    # The schema comes from hikeshi's migrations: Django reads the restored data folder.
    os.environ["HIKESHI_DATA_DIR"] = str(data_dir)
    from hikeshi.cli.runtime import setup_django

    setup_django(require_migrated=False)
    postgres_restore.restore_copy(database / "tables", snapshot, manifest.hikeshi_version)
    return where


def _clear(data_dir: Path) -> None:
    """Empty ``data_dir`` again after a failed restore (it was empty when the restore began)."""
    for entry in data_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def restore_backup(archive: Path, data_dir: Path, progress: Progress) -> RestoreReport:
    """Return the report of ``archive`` restored into the empty folder ``data_dir``."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup file")
    _ensure_empty(data_dir)
    staging = data_dir / STAGING
    staging.mkdir(mode=0o700)
    try:
        manifest = _verified(extract(archive, staging, progress), staging)
        _check_database_target(manifest)
        count, size = _place_files(manifest, staging, data_dir)
        where = _restore_database(manifest, staging, data_dir)
    except BaseException:
        _clear(data_dir)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(data_dir, manifest, where, count, size)
