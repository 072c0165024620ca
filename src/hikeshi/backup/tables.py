"""A digest of every table's rows, taken the same way at backup and after restore.

The digest is SHA-256 over the rows in primary-key order, in the database's own text form
(PostgreSQL's COPY text; SQLite's stored values), so it compares a backup with its
restoration on the same kind of database exactly, without any conversion in between.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import IO, TYPE_CHECKING, Any

from psycopg import sql

from hikeshi.backup.manifest import TableDigest

if TYPE_CHECKING:
    import psycopg


def sqlite_digests(connection: sqlite3.Connection) -> dict[str, TableDigest]:
    """Return the digest of every table of a SQLite database opened without converters."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    digests = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({quoted})")]
        digest = hashlib.sha256()
        rows = 0
        # S608: the table name comes from sqlite_master and is quoted as an identifier.
        for row in connection.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):  # noqa: S608
            # repr() of str, int, float, bytes and None is exact and stable.
            digest.update(repr(row).encode("utf-8") + b"\n")
            rows += 1
        digests[name] = TableDigest(rows=rows, sha256=digest.hexdigest(), columns=columns)
    return digests


def postgres_tables(cursor: psycopg.Cursor[Any]) -> list[str]:
    """Return the tables of the connection's current schema, by name."""
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def postgres_columns(cursor: psycopg.Cursor[Any], table: str) -> list[str]:
    """Return the columns of ``table`` in their order."""
    cursor.execute(
        "SELECT attname FROM pg_catalog.pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [sql.Identifier(table).as_string(cursor.connection)],
    )
    return [row[0] for row in cursor.fetchall()]


def _ordering(cursor: psycopg.Cursor[Any], table: str, columns: list[str]) -> list[str]:
    cursor.execute(
        "SELECT a.attname FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        [sql.Identifier(table).as_string(cursor.connection)],
    )
    key = [row[0] for row in cursor.fetchall()]
    return key or columns


def postgres_copy_out(connection: Any, table: str, sink: IO[bytes] | None = None) -> TableDigest:
    """Return the digest of ``table``, its COPY text also written to ``sink`` when given.

    Runs in the connection's current transaction: inside the backup's snapshot, every
    table is read as of the same moment.
    """
    with connection.cursor() as cursor:
        columns = postgres_columns(cursor, table)
        order = _ordering(cursor, table, columns)
        query = sql.SQL("COPY (SELECT {columns} FROM {table} ORDER BY {order}) TO STDOUT").format(
            columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
            table=sql.Identifier(table),
            order=sql.SQL(", ").join(map(sql.Identifier, order)),
        )
        digest = hashlib.sha256()
        rows = 0
        with cursor.copy(query) as copy:
            for block in copy:
                data = bytes(block)
                digest.update(data)
                # COPY text escapes newlines inside values: one line is one row.
                rows += data.count(b"\n")
                if sink is not None:
                    sink.write(data)
    return TableDigest(rows=rows, sha256=digest.hexdigest(), columns=columns)


def postgres_digests(connection: psycopg.Connection[Any]) -> dict[str, TableDigest]:
    """Return the digest of every table of the current schema."""
    with connection.cursor() as cursor:
        tables = postgres_tables(cursor)
    return {table: postgres_copy_out(connection, table) for table in tables}
