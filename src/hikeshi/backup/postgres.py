"""PostgreSQL: one consistent snapshot, dumped by pg_dump or by COPY of every table.

The backup opens a read-only REPEATABLE READ transaction and exports its snapshot. When a
pg_dump of the server's major version is on PATH it dumps that very snapshot
(``--snapshot``), in its custom format, which pg_restore brings back with the schema. Without
one (a container with only the Python package, or a pg_dump of another major version,
which may refuse the server or write what an older pg_restore cannot read) every table is
copied with COPY inside the same transaction; the restore then builds the schema with
hikeshi's own migrations and copies the rows back. Either way the table digests are taken
inside that transaction, so they describe exactly what was dumped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import IsolationLevel, sql
from psycopg.conninfo import make_conninfo

from hikeshi.backup.manifest import BackupError, Progress, TableDigest
from hikeshi.backup.tables import postgres_copy_out, postgres_tables

Method = Literal["auto", "pg_dump", "copy"]
PgConnection = psycopg.Connection[Any]
PgCursor = psycopg.Cursor[Any]
# Libpq keywords Django's OPTIONS may carry besides the basics (TLS settings and the like).
_LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslpassword",
    "target_session_attrs",
    "connect_timeout",
    "application_name",
    "options",
    "service",
    "passfile",
}


def connection_params(settings_dict: dict[str, Any]) -> dict[str, str]:
    """Return libpq connection keywords for a Django database setting."""
    params = {
        "dbname": settings_dict.get("NAME"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
    }
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in _LIBPQ_OPTIONS:
            params[key] = value
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def tool_command(program: str, params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return the ``--dbname`` argument and environment for a PostgreSQL client program.

    The password goes in the environment (PGPASSWORD), never on the command line, where
    every user of the machine could read it in the process list.
    """
    visible = {key: value for key, value in params.items() if key != "password"}
    environment = dict(os.environ)
    if "password" in params:
        environment["PGPASSWORD"] = params["password"]
    return [program, f"--dbname={make_conninfo(**visible)}"], environment


def tool_major(program: str) -> int | None:
    """Return the major version of a PostgreSQL client program on PATH, or None."""
    found = shutil.which(program)
    if found is None:
        return None
    # S603: a PostgreSQL client program found on PATH, asked for its version.
    done = subprocess.run(  # noqa: S603
        [found, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r"\b(\d+)(?:\.\d+)*\b", done.stdout)
    return int(match[1]) if match else None


def connect(params: dict[str, str]) -> PgConnection:
    """Return a connection, or raise BackupError saying which database could not be reached."""
    try:
        return psycopg.connect(**params)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        where = f"{params.get('dbname', '?')} on {params.get('host', 'localhost')}"
        first = str(error).strip().splitlines()[0] if str(error).strip() else "refused"
        raise BackupError(f"cannot connect to the PostgreSQL database {where}: {first}") from None


@dataclass(frozen=True)
class PostgresDump:
    """What a PostgreSQL backup wrote: archive names and files, digests, how it was made."""

    method: Literal["pg_dump", "copy"]
    files: list[tuple[str, Path]]
    tables: dict[str, TableDigest]
    migrations: list[str]
    sequences: dict[str, tuple[int, bool]]
    server_version: str
    pg_dump_major: int | None
    note: str


def choose_method(requested: Method, server_major: int) -> tuple[Literal["pg_dump", "copy"], str]:
    """Return the dump method to use and a sentence saying why."""
    if requested == "copy":
        return "copy", "COPY of every table (asked for)"
    major = tool_major("pg_dump")
    if major == server_major:
        return "pg_dump", f"pg_dump {major}"
    reason = (
        "no pg_dump on PATH"
        if major is None
        else f"pg_dump {major} does not match the server's PostgreSQL {server_major}"
    )
    if requested == "pg_dump":
        raise BackupError(
            f"--postgres-method pg_dump: {reason}; install the PostgreSQL {server_major} "
            "client programs or use --postgres-method copy"
        )
    return "copy", f"COPY of every table inside one snapshot ({reason})"


def sequences_of(connection: PgConnection) -> dict[str, tuple[int, bool]]:
    """Return ``table.column`` -> (last value, called) of every serial or identity column."""
    found: dict[str, tuple[int, bool]] = {}
    with connection.cursor() as cursor:
        for table in postgres_tables(cursor):
            cursor.execute(
                "SELECT attname, pg_get_serial_sequence(%s, attname) FROM pg_catalog.pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [sql.Identifier(table).as_string(connection)] * 2,
            )
            for column, sequence in cursor.fetchall():
                if sequence is None:
                    continue
                # S608: the sequence name comes from pg_get_serial_sequence, already quoted.
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
                last_value, is_called = cursor.fetchone() or (1, False)
                found[f"{table}.{column}"] = (int(last_value), bool(is_called))
    return found


@contextmanager
def snapshot(params: dict[str, str]) -> Iterator[tuple[PgConnection, str]]:
    """Yield a read-only REPEATABLE READ transaction and the id of its exported snapshot."""
    connection = connect(params)
    try:
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
        if row is None:
            raise BackupError("PostgreSQL did not export a snapshot of the database")
        yield connection, str(row[0])
    finally:
        connection.rollback()
        connection.close()


def _migrations(connection: PgConnection) -> list[str]:
    with connection.cursor() as cursor:
        if "django_migrations" not in postgres_tables(cursor):
            return []
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def dump(
    params: dict[str, str], requested: Method, workdir: Path, progress: Progress
) -> PostgresDump:
    """Return the dump of the database written into ``workdir``, from one snapshot."""
    with snapshot(params) as (connection, snapshot_id):
        server_major = connection.info.server_version // 10000
        method, note = choose_method(requested, server_major)
        with connection.cursor() as cursor:
            tables = postgres_tables(cursor)
        progress.begin("Dumping the database", None)
        files: list[tuple[str, Path]] = []
        digests: dict[str, TableDigest] = {}
        if method == "pg_dump":
            target = workdir / "hikeshi.pgdump"
            _run_pg_dump(params, snapshot_id, target)
            files.append(("database/hikeshi.pgdump", target))
            for table in tables:
                digests[table] = postgres_copy_out(connection, table)
        else:
            (workdir / "tables").mkdir()
            for table in tables:
                target = workdir / "tables" / f"{table}.copy"
                with target.open("wb") as sink:
                    digests[table] = postgres_copy_out(connection, table, sink)
                files.append((f"database/tables/{table}.copy", target))
                progress.advance(target.stat().st_size)
        return PostgresDump(
            method=method,
            files=files,
            tables=digests,
            migrations=_migrations(connection),
            sequences=sequences_of(connection),
            server_version=str(connection.info.parameter_status("server_version") or ""),
            pg_dump_major=server_major if method == "pg_dump" else None,
            note=note,
        )


def _run_pg_dump(params: dict[str, str], snapshot_id: str, target: Path) -> None:
    command, environment = tool_command("pg_dump", params)
    command += ["--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"]
    # S603: pg_dump with arguments built here; the password travels in the environment.
    done = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupError(f"pg_dump failed: {lines[-1] if lines else done.returncode}")
