"""A backup taken while another process keeps writing restores to a consistent record.

Each write adds a timeline event and its action record in one transaction and moves the
incident's chain head; a copy that caught half a write, or rows from two moments, fails
`hikeshi audit verify` on the restored folder.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

HIKESHI = Path(sys.executable).parent / "hikeshi"
WRITER = """
import os, sys
from datetime import UTC, datetime
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
import django
django.setup()
from django.contrib.auth.models import User
from hikeshi.incidents.services.timeline import add_event
admin = User.objects.get(username="admin")
number = 0
while not os.path.exists(sys.argv[1]):
    add_event(admin, 1, occurred_at=datetime.now(UTC), description=f"written live {number}")
    number += 1
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # S603: this virtualenv's own script with fixed arguments.
    done = subprocess.run(  # noqa: S603
        [str(HIKESHI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _events(database: Path) -> int:
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM incidents_timelineevent WHERE description LIKE 'written live%'"
        ).fetchone()
    return int(row[0])


def test_backups_taken_during_writes_restore_to_a_record_that_verifies(tmp_path: Path) -> None:
    data_dir = tmp_path / "live"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIKESHI_", "DATABASE_URL"))}
    env["HIKESHI_DATA_DIR"] = str(data_dir)
    _run(env, "init", "--demo")
    stop = tmp_path / "stop"
    # S603: this interpreter on a fixed script.
    writer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", WRITER, str(stop)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while _events(data_dir / "hikeshi.sqlite3") < 5:
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline, "the writer did not get going"
            time.sleep(0.2)
        archives = [tmp_path / "first.tar.gz", tmp_path / "second.tar.gz"]
        for archive in archives:
            _run(env, "backup", str(archive), "--include-secrets")
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""

    counts = []
    for archive in archives:
        target = tmp_path / archive.name.removesuffix(".tar.gz")
        restored_env = {**env, "HIKESHI_DATA_DIR": str(target)}
        _run(restored_env, "restore", str(archive))
        verified = _run(restored_env, "audit", "verify")
        assert "intact" in verified.stdout
        counts.append(_events(target / "hikeshi.sqlite3"))
    # Both copies caught the writer at work, the second later than the first.
    assert 5 <= counts[0] <= counts[1] <= _events(data_dir / "hikeshi.sqlite3")
