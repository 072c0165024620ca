"""The test-only job kinds, and a database of its own that real worker processes can reach.

pytest-django's SQLite test database lives in memory, out of a worker process's reach. The
``worker_site`` fixture therefore makes a fresh database (a file on SQLite, a database of
its own on PostgreSQL, whichever the suite runs on), points this process's "default"
connection at it for the test, and gives the environment a `hikeshi worker` needs to use it.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _load_worker_main() -> Any:
    path = HERE / "worker_main.py"
    spec = importlib.util.spec_from_file_location("hikeshi_test_worker_main", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The test kinds, importable by the test modules as `hikeshi_test_job_kinds`.
_load_worker_main().load_test_kinds()


def wait_until(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Return check()'s first true answer, polling; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.05)
    pytest.fail(f"waited {timeout} s for {what}")


@dataclass
class WorkerSite:
    """A database of its own, and the environment of processes that use it."""

    data_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str, log: str = "worker") -> subprocess.Popen[bytes]:
        """Start `hikeshi ARGS` (with the test kinds) in the background, output to a log."""
        with (self.data_dir / f"{log}.log").open("ab") as output:
            process = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, str(HERE / "worker_main.py"), *args],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        self.processes.append(process)
        return process

    def run(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Return the finished `hikeshi ARGS` (with the test kinds), output captured."""
        return subprocess.run(  # noqa: S603 - our own command
            [sys.executable, str(HERE / "worker_main.py"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
            check=False,
        )

    def log(self, name: str = "worker") -> str:
        """Return what the processes started under ``name`` printed."""
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        """Stop every process still running (SIGKILL: the test is over)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(10)


def _database_url(settings: dict[str, Any]) -> str:
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


def _maintenance(settings: dict[str, Any], sql: str) -> None:
    import psycopg

    params = {"dbname": "postgres", "host": settings.get("HOST") or None}
    for key, setting in (("user", "USER"), ("password", "PASSWORD"), ("port", "PORT")):
        if settings.get(setting):
            params[key] = settings[setting]
    with psycopg.connect(**params, autocommit=True) as maintenance:
        maintenance.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def worker_site(tmp_path: Path, django_db_blocker: Any) -> Iterator[WorkerSite]:
    """Yield a migrated database of its own that this process and workers share."""
    original = connections["default"]
    settings = copy.deepcopy(original.settings_dict)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HIKESHI_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "hikeshi.web.settings"
    env["PYTHONUNBUFFERED"] = "1"
    if original.vendor == "postgresql":
        worker_suffix = os.environ.get("PYTEST_XDIST_WORKER", "")
        settings["NAME"] = f"{original.settings_dict['NAME']}_worker{worker_suffix}"
        _maintenance(settings, f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')
        _maintenance(settings, f'CREATE DATABASE "{settings["NAME"]}"')
        env["DATABASE_URL"] = _database_url(settings)
    else:
        # Where `hikeshi` puts it in that data folder (hikeshi.web.settings).
        settings["NAME"] = tmp_path / "hikeshi.sqlite3"
    site = WorkerSite(tmp_path, env)
    with django_db_blocker.unblock():
        backend = load_backend(settings["ENGINE"])
        connections["default"] = backend.DatabaseWrapper(settings, "default")
        try:
            call_command("migrate", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            yield site
        finally:
            site.stop_all()
            connections["default"].close()
            connections["default"] = original
            ContentType.objects.clear_cache()
            if original.vendor == "postgresql":
                _maintenance(settings, f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')


@dataclass(frozen=True)
class SitePeople:
    """The people and incident of a worker site."""

    lead: User
    viewer: User
    incident_id: int


def make_site_people() -> SitePeople:
    """Return a lead, a viewer and a ransomware incident made in the current database."""
    from zoneinfo import ZoneInfo

    from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
    from hikeshi.incidents.vocabulary import Role

    lead = User.objects.create_user("lead", "lead@example.org", "correct horse battery staple")
    viewer = User.objects.create_user("viewer", "viewer@example.org", "correct horse battery")
    incident = open_incident(
        lead,
        IncidentInput(
            title="ワーカー試験",
            detected_at=datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
            types=["ransomware"],
        ),
    )
    set_membership(lead, incident.pk, viewer, Role.VIEWER)
    return SitePeople(lead, viewer, incident.pk)


@pytest.fixture
def people(worker_site: WorkerSite) -> SitePeople:
    """Return the lead, viewer and incident of the worker site."""
    return make_site_people()


@pytest.fixture
def wait() -> Callable[..., Any]:
    """Return wait_until(check, what, timeout=30.0)."""
    return wait_until


@pytest.fixture
def no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write every progress report and check for a cancel request at every batch."""
    monkeypatch.setattr("hikeshi.jobs.progress.MIN_INTERVAL", 0.0)


@pytest.fixture(autouse=True)
def _board_connections_closed() -> Iterator[None]:
    """Close this thread's progress-board connections after each test.

    On PostgreSQL the board holds a second connection; one left open keeps pytest-django
    from dropping the test database at the end.
    """
    yield
    from hikeshi.jobs.board import board

    board().release()
