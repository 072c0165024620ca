"""The manifest of a backup: what the archive holds, with the hash of every file."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT = "hikeshi-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_FOLDER = "database"
DATA_FOLDER = "data"


class BackupError(Exception):
    """A backup or restore that cannot go on, explained in one line a person can act on."""


class Progress(Protocol):
    """Where long copies report how far they are (the command line draws a bar)."""

    def begin(self, label: str, total: int | None) -> None:
        """Start a step of ``total`` bytes (None: unknown)."""

    def advance(self, done: int) -> None:
        """Count ``done`` more bytes of the current step."""


class SilentProgress:
    """Progress that shows nothing (scripts, tests)."""

    def begin(self, label: str, total: int | None) -> None:
        """Ignore the step."""

    def advance(self, done: int) -> None:
        """Ignore the bytes."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileEntry(_Strict):
    """One file of the archive: its name in the archive, size and SHA-256."""

    path: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TableDigest(_Strict):
    """A table's row count and the SHA-256 over all its rows in primary-key order."""

    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    # The columns in the order the dump holds them (the COPY method restores by name).
    columns: list[str]


class DatabaseSnapshot(_Strict):
    """How the database was captured and what it held."""

    vendor: Literal["sqlite", "postgresql"]
    # sqlite-backup: SQLite's online backup API; pg_dump: pg_dump --format=custom of an
    # exported snapshot; copy: COPY of every table inside one REPEATABLE READ transaction.
    method: Literal["sqlite-backup", "pg_dump", "copy"]
    server_version: str
    # The major version of the pg_dump that wrote the dump (pg_restore must be as new).
    pg_dump_major: int | None = None
    migrations: list[str]
    pending_migrations: int = Field(ge=0)
    tables: dict[str, TableDigest]
    # PostgreSQL: "table.column" -> (last value, called) of each sequence, so restored ids
    # continue where the server's did, never reusing the id of a row deleted before.
    sequences: dict[str, tuple[int, bool]] = Field(default_factory=dict)


class Secret(_Strict):
    """A secret of the data folder, what it is for, and whether the backup holds it."""

    path: str
    what: str
    included: bool


class Manifest(_Strict):
    """The manifest.json of a backup."""

    format: Literal["hikeshi-backup"]
    format_version: int
    created_at: datetime
    hikeshi_version: str
    django_version: str
    database: DatabaseSnapshot
    secrets_included: bool
    files: list[FileEntry]
    # Paths inside the data folder (secret_key, keys/…), included or not.
    secrets: list[Secret]

    def to_json(self) -> bytes:
        """Return the manifest as indented UTF-8 JSON."""
        return self.model_dump_json(indent=2).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Return the manifest read from ``data``; raise BackupError when it is not one."""
        try:
            manifest = cls.model_validate_json(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top)"
            raise BackupError(
                f"{MANIFEST_NAME} is not a hikeshi backup manifest ({where}: {first['msg']})"
            ) from None
        if manifest.format_version > FORMAT_VERSION:
            raise BackupError(
                f"the backup has format version {manifest.format_version}, this hikeshi "
                f"reads up to {FORMAT_VERSION}: restore it with hikeshi "
                f"{manifest.hikeshi_version} or newer"
            )
        return manifest
