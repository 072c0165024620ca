"""Restoring a PostgreSQL backup into an empty database, checked against its digests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from psycopg import sql

from hikeshi.backup.manifest import BackupError, DatabaseSnapshot, TableDigest
from hikeshi.backup.postgres import PgConnection, PgCursor, connect, tool_command, tool_major
from hikeshi.backup.tables import postgres_columns, postgres_digests, postgres_tables


def ensure_empty(params: dict[str, str]) -> None:
    """Raise BackupError unless the configured database has no tables yet."""
    with connect(params) as connection, connection.cursor() as cursor:
        tables = postgres_tables(cursor)
    if tables:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise BackupError(
            f"the PostgreSQL database {params.get('dbname')} already has {len(tables)} "
            f"tables ({shown}); restore needs an empty one: create it (createdb NAME) "
            "and point DATABASE_URL at it"
        )


def check_digests(connection: PgConnection, expected: dict[str, TableDigest]) -> None:
    """Raise BackupError naming the first table whose rows differ from the backup's."""
    found = postgres_digests(connection)
    for table, digest in sorted(expected.items()):
        actual = found.get(table)
        if actual is None:
            raise BackupError(f"after restoring, the table {table} is missing")
        if (actual.rows, actual.sha256) != (digest.rows, digest.sha256):
            raise BackupError(
                f"after restoring, the table {table} differs from the backup "
                f"({actual.rows} rows, the backup has {digest.rows})"
            )


def restore_pg_dump(params: dict[str, str], dump_file: Path, snapshot: DatabaseSnapshot) -> None:
    """Load a pg_dump custom-format file with pg_restore in one transaction, then check it."""
    needed = snapshot.pg_dump_major or 0
    major = tool_major("pg_restore")
    if major is None or major < needed:
        have = "no pg_restore on PATH" if major is None else f"pg_restore is version {major}"
        raise BackupError(
            f"this backup was written by pg_dump {needed} and {have}; install the PostgreSQL "
            f"{needed} client programs (postgresql-client-{needed}) and run restore again"
        )
    command, environment = tool_command("pg_restore", params)
    # Owners and grants belong to the old server's roles; the restoring role owns it all.
    command += [
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(dump_file),
    ]
    # S603: pg_restore with arguments built here; the password travels in the environment.
    done = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupError(f"pg_restore failed: {lines[-1] if lines else done.returncode}")
    with connect(params) as connection:
        check_digests(connection, snapshot.tables)


def _migration_targets(snapshot: DatabaseSnapshot, hikeshi_version: str) -> list[tuple[str, str]]:
    """Return, per app, the newest migration the backed-up database had applied."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(connection).graph
    applied: set[tuple[str, str]] = set()
    for name in snapshot.migrations:
        app, _, migration = name.partition(".")
        applied.add((app, migration))
    for node in sorted(applied):
        if node not in graph.nodes:
            raise BackupError(
                f"the backed-up database has the migration {'.'.join(node)}, which this "
                f"installation does not know; restore with hikeshi {hikeshi_version} or newer"
            )
    return sorted(
        node
        for node in applied
        if not any(child.key in applied for child in graph.node_map[node].children)
    )


def restore_copy(tables_dir: Path, snapshot: DatabaseSnapshot, hikeshi_version: str) -> None:
    """Build the schema by migrating to the backup's state, COPY the rows in, check them.

    One transaction around it all: on any failure the database is left as empty as it was.
    """
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    targets = _migration_targets(snapshot, hikeshi_version)
    with transaction.atomic():
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        raw: PgConnection = connection.connection
        with raw.cursor() as cursor:
            created = set(postgres_tables(cursor))
            expected = set(snapshot.tables)
            if created != expected:
                extra = sorted(created ^ expected)
                raise BackupError(
                    f"the migrations do not rebuild the backed-up tables ({', '.join(extra)})"
                )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(map(sql.Identifier, sorted(expected)))
                )
            )
            for table, digest in sorted(snapshot.tables.items()):
                _copy_in(cursor, table, digest, tables_dir / f"{table}.copy")
            _set_sequences(cursor, snapshot.sequences)
        check_digests(raw, snapshot.tables)


def _copy_in(cursor: PgCursor, table: str, digest: TableDigest, source: Path) -> None:
    columns = postgres_columns(cursor, table)
    if sorted(columns) != sorted(digest.columns):
        raise BackupError(
            f"the table {table} has columns {', '.join(columns)} here but "
            f"{', '.join(digest.columns)} in the backup"
        )
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, digest.columns))
    )
    with source.open("rb") as handle, cursor.copy(query) as copy:
        while chunk := handle.read(1024 * 1024):
            copy.write(chunk)


def _set_sequences(cursor: PgCursor, sequences: dict[str, tuple[int, bool]]) -> None:
    for key, (last_value, is_called) in sorted(sequences.items()):
        table, column = key.split(".", 1)
        # The larger of the old server's value and the highest id restored: never reuse one.
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                "GREATEST(%s, COALESCE(MAX({column}), 0)), %s OR MAX({column}) IS NOT NULL) "
                "FROM {table}"
            ).format(column=sql.Identifier(column), table=sql.Identifier(table)),
            [sql.Identifier(table).as_string(None), column, last_value, is_called],
        )
