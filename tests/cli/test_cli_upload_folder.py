"""Uploads in progress live in the data folder; what a crash left there goes at start-up."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from typer.testing import Result

from hikeshi import config
from hikeshi.cli import web_processes
from hikeshi.web import server
from hikeshi.web.uploads import remove_stale_uploads

Run = Callable[..., Result]


def test_large_uploads_are_spooled_inside_the_data_folder() -> None:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)

    assert folder == config.env_path("HIKESHI_DATA_DIR") / "uploads-tmp"
    assert folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    upload = TemporaryUploadedFile("timeline.csv", "text/csv", 0, "utf-8")
    try:
        assert Path(upload.temporary_file_path()).parent == folder
    finally:
        upload.close()
    assert not Path(upload.temporary_file_path()).exists()


def _left_behind(folder: Path, age_seconds: float) -> list[Path]:
    """Return two files: one written ``age_seconds`` ago, one written a minute from now."""
    folder.mkdir(exist_ok=True)
    old, new = folder / "tmpold.upload.csv", folder / "tmpnew.upload.csv"
    old.write_bytes(b"half an upload")
    new.write_bytes(b"an upload in progress")
    then = time.time() - age_seconds
    os.utime(old, (then, then))
    later = time.time() + 60
    os.utime(new, (later, later))
    return [old, new]


def test_only_files_written_before_the_start_are_removed(tmp_path: Path) -> None:
    old, new = _left_behind(tmp_path, age_seconds=5)
    (tmp_path / "a-folder").mkdir()

    assert remove_stale_uploads(tmp_path, started=time.time()) == ["tmpold.upload.csv"]
    assert not old.exists()
    assert new.exists()
    assert (tmp_path / "a-folder").is_dir()
    assert remove_stale_uploads(tmp_path / "missing", started=time.time()) == []


def test_init_clears_what_an_interrupted_server_left(
    hikeshi: Run, tmp_path: Path, settings: Any
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    old, new = _left_behind(tmp_path, age_seconds=3600)

    result = hikeshi("init")

    assert result.exit_code == 0, result.output
    assert f"Removed 1 unfinished upload an interrupted server left in {tmp_path}." in result.stdout
    assert not old.exists()
    assert new.exists()


def test_serve_clears_them_before_it_listens(
    hikeshi: Run, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    old, new = _left_behind(tmp_path, age_seconds=3600)
    seen_at_listen: list[bool] = []

    def bind(host: str, port: int) -> list[socket.socket]:
        seen_at_listen.append(old.exists())
        return []

    monkeypatch.setattr(server, "bind", bind)
    monkeypatch.setattr(web_processes, "run", lambda sockets, **kw: None)
    result = hikeshi("serve", "--port", "8124")

    assert result.exit_code == 0, result.output
    assert seen_at_listen == [False]
    assert new.exists()
