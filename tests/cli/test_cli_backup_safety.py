"""What `hikeshi backup` leaves out and refuses, and what `hikeshi restore` will not touch."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from typer.testing import Result

from hikeshi.backup import create
from hikeshi.incidents.models import Incident

# A backup reads the database from outside any test transaction, as the command does.
pytestmark = pytest.mark.django_db(transaction=True)
Run = Callable[..., Result]
PUBLIC_PEM = b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAexample\n-----END PUBLIC KEY-----\n"
PRIVATE_PEM = (
    b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIexample\n-----END PRIVATE KEY-----\n"
)


@pytest.fixture
def data_dir(incident: Incident) -> Path:
    """Return a data folder holding the usual secrets, a public key and a checkpoint."""
    folder = Path(django_settings.DATA_DIR)
    (folder / "keys").mkdir(parents=True, exist_ok=True)
    (folder / "secret_key").write_text("secret\n")
    (folder / "keys" / "audit-seal.key").write_text("00" * 32 + "\n")
    (folder / "keys" / "checkpoint-ed25519.pem").write_bytes(PRIVATE_PEM)
    (folder / "keys" / "checkpoint-ed25519.pub.pem").write_bytes(PUBLIC_PEM)
    (folder / "checkpoints").mkdir(exist_ok=True)
    (folder / "checkpoints" / "checkpoint-20261120T101500000000Z.json").write_text("{}\n")
    (folder / "uploads-tmp").mkdir(exist_ok=True)
    (folder / "uploads-tmp" / "tmp123.upload.csv").write_text("half an upload\n")
    (folder / "static").mkdir(exist_ok=True)
    (folder / "static" / "site.css").write_text("body {}\n")
    return folder


def _names(archive: Path) -> set[str]:
    with tarfile.open(archive) as tar:
        return set(tar.getnames())


def _backup(hikeshi: Run, archive: Path, *extra: str) -> Result:
    result = hikeshi("backup", str(archive), *extra)
    assert result.exit_code == 0, result.output
    return result


def test_secrets_stay_out_unless_asked_for_and_the_output_says_which(
    hikeshi: Run, data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar"

    result = _backup(hikeshi, archive)

    names = _names(archive)
    assert "data/keys/checkpoint-ed25519.pub.pem" in names
    assert "data/checkpoints/checkpoint-20261120T101500000000Z.json" in names
    assert (
        not {
            "data/secret_key",
            "data/keys/audit-seal.key",
            "data/keys/checkpoint-ed25519.pem",
            "data/uploads-tmp/tmp123.upload.csv",
            "data/static/site.css",
            "data/hikeshi.sqlite3",
        }
        & names
    )
    assert "secret_key: Django secret key" in result.stdout
    assert "keys/audit-seal.key: audit seal key" in result.stdout
    assert "keys/checkpoint-ed25519.pem: private signing key" in result.stdout
    assert "--include-secrets" in result.stdout

    with_secrets = tmp_path / "with-secrets.tar"
    result = _backup(hikeshi, with_secrets, "--include-secrets")
    assert {"data/secret_key", "data/keys/audit-seal.key"} <= _names(with_secrets)
    assert "Keep this backup as safe as the server itself" in result.stdout


def test_the_manifest_lists_every_file_with_its_hash_and_the_migrations(
    hikeshi: Run, data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar.gz"
    _backup(hikeshi, archive)

    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
        listed = {entry["path"] for entry in manifest["files"]}
        assert listed == set(tar.getnames()) - {"manifest.json"}
    assert manifest["hikeshi_version"]
    assert "incidents.0001_initial" in manifest["database"]["migrations"]
    assert manifest["database"]["tables"]["incidents_incident"]["rows"] == 1
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("site.zip", "name the backup .tar, .tar.gz, .tar.xz or .tar.zst"),
        ("missing/site.tar", "is not a folder; create it"),
    ],
)
def test_backup_refuses_a_name_or_place_it_cannot_use(
    hikeshi: Run, data_dir: Path, tmp_path: Path, name: str, message: str
) -> None:
    result = hikeshi("backup", str(tmp_path / name))

    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_backup_refuses_to_write_into_the_data_folder_or_over_a_file(
    hikeshi: Run, data_dir: Path, tmp_path: Path
) -> None:
    inside = hikeshi("backup", str(data_dir / "site.tar"))
    assert inside.exit_code == 1
    assert "is inside the data folder" in inside.stderr

    existing = tmp_path / "site.tar"
    existing.write_text("yesterday's backup")
    again = hikeshi("backup", str(existing))
    assert again.exit_code == 1
    assert "exists; choose another name or pass --overwrite" in again.stderr
    assert existing.read_text() == "yesterday's backup"
    assert hikeshi("backup", str(existing), "--overwrite").exit_code == 0
    assert "manifest.json" in _names(existing)


def test_a_backup_that_fails_midway_leaves_nothing_behind(
    hikeshi: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(create, "select", disk_full)
    result = hikeshi("backup", str(out / "site.tar.gz"))

    assert result.exit_code == 1
    assert result.stderr == "Error: cannot read or write: No space left on device\n"
    assert list(out.iterdir()) == []


def test_restore_refuses_a_folder_that_is_not_empty(hikeshi: Run, tmp_path: Path) -> None:
    archive = tmp_path / "site.tar"
    archive.write_bytes(b"")
    target = tmp_path / "in-use"
    target.mkdir()
    (target / "hikeshi.sqlite3").write_text("the live database")

    result = hikeshi("restore", str(archive), "--data-dir", str(target))

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {target} is not empty (hikeshi.sqlite3); restore only into an empty data "
        "folder: name a new one with --data-dir (or HIKESHI_DATA_DIR)\n"
    )
    assert (target / "hikeshi.sqlite3").read_text() == "the live database"


def _rewritten(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Copy the tar ``source`` to ``target``, passing each member's bytes through ``change``."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            handle = old.extractfile(member)
            data = change(member.name, handle.read() if handle else b"")
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def test_restore_checks_every_hash_before_it_puts_anything_in_place(
    hikeshi: Run, data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar"
    _backup(hikeshi, archive)
    damaged = tmp_path / "damaged.tar"

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith("data/checkpoints/"):
            return data.replace(b"{}", b"[]")
        return data

    _rewritten(archive, damaged, flip)
    target = tmp_path / "restored"

    result = hikeshi("restore", str(damaged), "--data-dir", str(target))

    assert result.exit_code == 1
    assert "data/checkpoints/checkpoint-20261120T101500000000Z.json does not match" in result.stderr
    assert "nothing restored" in result.stderr
    assert list(target.iterdir()) == []


def test_restore_refuses_an_entry_that_would_leave_the_folder(hikeshi: Run, tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        payload = b"overwritten"
        member = tarfile.TarInfo("data/../../outside.txt")
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    target = tmp_path / "restored"

    result = hikeshi("restore", str(archive), "--data-dir", str(target))

    assert result.exit_code == 1
    assert "unexpected entry 'data/../../outside.txt'" in result.stderr
    assert not (tmp_path / "outside.txt").exists()
    assert list(target.iterdir()) == []


def test_restore_of_a_truncated_archive_is_one_clear_line(
    hikeshi: Run, data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar.gz"
    _backup(hikeshi, archive)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    result = hikeshi("restore", str(truncated), "--data-dir", str(tmp_path / "restored"))

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {truncated} is not a readable backup")
    assert result.stderr.count("\n") == 1


def test_a_backup_goes_back_only_into_the_same_kind_of_database(
    hikeshi: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "site.tar"
    _backup(hikeshi, archive)
    if connection.vendor == "sqlite":
        monkeypatch.setenv("DATABASE_URL", "postgres://hikeshi@db.invalid:5432/hikeshi")
        expected = "the backup holds a SQLite database but DATABASE_URL points at PostgreSQL"
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        expected = "the backup holds a PostgreSQL database: set DATABASE_URL"

    result = hikeshi("restore", str(archive), "--data-dir", str(tmp_path / "restored"))

    assert result.exit_code == 1
    assert expected in result.stderr
    assert list((tmp_path / "restored").iterdir()) == []


@pytest.mark.postgres
def test_restore_refuses_a_postgresql_database_that_holds_tables(
    hikeshi: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("set DATABASE_URL to a PostgreSQL database to run this test")
    archive = tmp_path / "site.tar"
    _backup(hikeshi, archive, "--postgres-method", "copy")
    params = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}",
    )

    result = hikeshi("restore", str(archive), "--data-dir", str(tmp_path / "restored"))

    assert result.exit_code == 1
    assert f"the PostgreSQL database {params['NAME']} already has" in result.stderr
    assert Incident.objects.count() == 1
