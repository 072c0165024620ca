"""`hikeshi backup` then `hikeshi restore`: every row and file comes back, the audit verifies.

The backup runs in-process against the test database (as `hikeshi backup` beside a running
server); the restore and the audit run as separate `hikeshi` processes on the restored
folder, exactly as an operator would run them on a new machine.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection
from psycopg import sql
from typer.testing import Result

from hikeshi.backup.postgres import connection_params, tool_major
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline import add_event

Run = Callable[..., Result]
HIKESHI = Path(sys.executable).parent / "hikeshi"
TOKYO = ZoneInfo("Asia/Tokyo")
# Not copied as files: the database travels through its snapshot; the rest is regenerated.
NOT_FILES = {"hikeshi.sqlite3", "hikeshi.sqlite3-wal", "hikeshi.sqlite3-shm", "static"}


@pytest.fixture(autouse=True)
def _keys_and_checkpoints_in_the_data_folder(settings: Any) -> None:
    """Put the audit keys and checkpoints where a default installation has them."""
    settings.AUDIT_KEYS_DIR = Path(settings.DATA_DIR) / "keys"
    settings.AUDIT_CHECKPOINT_DIR = Path(settings.DATA_DIR) / "checkpoints"


@pytest.fixture
def populated(hikeshi: Run, incident: Incident, site_admin: User) -> Path:
    """Return the data folder of a site with two incidents, their records, files, keys."""
    for args in (
        ("incident", "create", "--title", "顧客情報の漏えい", "--type", "information_leak",
         "--as", "lead"),
        ("action", "add", str(incident.pk), "--what", "PC-023 を LAN から隔離",
         "--scope", "PC-023", "--settings", "スイッチポート Gi0/23 shutdown", "--as", "responder"),
        ("checklist", "done", str(incident.pk), "matrix:50", "--at", "2026-11-20T10:15",
         "--scope", "FS01", "--settings", "脅迫文と拡張子から種類を特定", "--as", "responder"),
        ("audit", "checkpoint"),
    ):  # fmt: skip
        result = hikeshi(*args)
        assert result.exit_code == 0, (args, result.output)
    add_event(
        User.objects.get(username="lead"),
        incident.pk,
        occurred_at=datetime(2026, 11, 20, 8, 55, tzinfo=TOKYO),
        description="ファイルサーバで大量のファイル名変更を検知",
        source="EDR",
    )
    data_dir = Path(django_settings.DATA_DIR)
    # What hikeshi generates on first start when HIKESHI_SECRET_KEY is not set.
    (data_dir / "secret_key").write_text("a-generated-secret-key-for-this-test\n")
    uploads = data_dir / "incidents" / str(incident.pk) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "脅迫文.txt").write_text("Your files are encrypted.\n", encoding="utf-8")
    # Larger than one copy chunk, and not compressible.
    (uploads / "memory.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    return data_dir


def _file_hashes(folder: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative.split("/")[0] in NOT_FILES | {"uploads-tmp"}:
            continue
        hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIKESHI_", "DATABASE_URL"))}
    env["HIKESHI_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _hikeshi_process(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # S603: this virtualenv's own script with fixed arguments.
    return subprocess.run(  # noqa: S603
        [str(HIKESHI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _sqlite_rows(database: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        table: database.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
        for table in sorted(tables)
    }


def _restore_and_verify(
    archive: Path, target: Path, database_url: str | None
) -> subprocess.CompletedProcess[str]:
    env = _environment(target, database_url)
    restored = _hikeshi_process(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert restored.stderr == ""
    verified = _hikeshi_process(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    return restored


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["site.tar", "site.tar.gz", "site.tar.zst"])
def test_a_sqlite_site_comes_back_row_for_row_and_file_for_file(
    hikeshi: Run, populated: Path, tmp_path: Path, name: str
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the tests run on SQLite")
    archive = tmp_path / name
    backed_up = hikeshi("backup", str(archive), "--include-secrets")
    assert backed_up.exit_code == 0, backed_up.output
    assert f"Backup written: {archive}" in backed_up.stdout
    target = tmp_path / "restored"

    restored = _restore_and_verify(archive, target, None)

    assert "incidents 2, action records" in restored.stdout
    assert "every file matched its SHA-256" in restored.stdout
    connection.ensure_connection()
    with closing(
        sqlite3.connect(
            target / "hikeshi.sqlite3",
            detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
        )
    ) as copy:
        # The same converters as Django's own connection (registered by Django, globally).
        assert _sqlite_rows(copy) == _sqlite_rows(connection.connection)
    assert _file_hashes(target) == _file_hashes(populated)
    assert (target / "secret_key").read_text() == (populated / "secret_key").read_text()


# PostgreSQL: the backup is taken from the test database, restored into a fresh one.


@pytest.fixture
def empty_database() -> Iterator[str]:
    """Return the URL of a new, empty PostgreSQL database, dropped afterwards."""
    params = connection_params(connection.settings_dict)
    name = f"{params['dbname']}_restored"
    admin = {**params, "dbname": "postgres"}
    with closing(psycopg.connect(**admin, autocommit=True)) as server:  # type: ignore[arg-type]
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = params.get("user", "")
    password = f":{params['password']}" if "password" in params else ""
    host = params.get("host", "localhost")
    port = params.get("port", "5432")
    yield f"postgres://{user}{password}@{host}:{port}/{name}"
    with closing(psycopg.connect(**admin, autocommit=True)) as server:  # type: ignore[arg-type]
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _postgres_rows(conninfo: dict[str, str] | str) -> dict[str, list[tuple[Any, ...]]]:
    kwargs = conninfo if isinstance(conninfo, dict) else {"conninfo": conninfo}
    with closing(psycopg.connect(**kwargs)) as database:  # type: ignore[arg-type]
        tables = [
            row[0]
            for row in database.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        return {
            table: database.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))
            ).fetchall()
            for table in sorted(tables)
        }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["pg_dump", "copy"])
def test_a_postgresql_site_comes_back_row_for_row_and_file_for_file(
    hikeshi: Run, populated: Path, tmp_path: Path, empty_database: str, method: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("set DATABASE_URL to a PostgreSQL database to run this test")
    if method == "pg_dump" and tool_major("pg_dump") != connection.pg_version // 10000:
        pytest.skip("no pg_dump of the server's major version on PATH")
    archive = tmp_path / "site.tar.gz"
    backed_up = hikeshi("backup", str(archive), "--include-secrets", "--postgres-method", method)
    assert backed_up.exit_code == 0, backed_up.output
    target = tmp_path / "restored"

    restored = _restore_and_verify(archive, target, empty_database)

    assert "incidents 2, action records" in restored.stdout
    assert _postgres_rows(empty_database) == _postgres_rows(
        connection_params(connection.settings_dict)
    )
    assert _file_hashes(target) == _file_hashes(populated)
    # Ids go on from where the backed-up server was: a new incident takes the next one.
    created = _hikeshi_process(
        _environment(target, empty_database),
        "incident", "create", "--title", "復元後の新規案件", "--type", "virus_infection", "--json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert f'"id": {_next_incident_id()}' in created.stdout


def _next_incident_id() -> int:
    """Return the id the backed-up database would give its next incident."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('incidents_incident', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
    return int(last_value) + 1 if is_called else int(last_value)
