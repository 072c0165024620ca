"""`hikeshi serve` runs a worker beside the web server, restarts it, and stops it on the way out."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hikeshi_test_job_kinds import BATCHES
from typer.testing import CliRunner

from hikeshi.cli import app, worker_process
from hikeshi.cli.worker_process import WorkerProcess
from hikeshi.jobs.models import Job
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.vocabulary import UNKNOWN_KIND, JobState


def _children(pid: int) -> list[int]:
    """Return the ids of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _workers(pid: int) -> list[int]:
    """Return the ids of the job workers among the children of ``pid``."""
    found = []
    for child in _children(pid):
        try:
            if b"hikeshi.cli\0worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_a_worker_that_dies_is_started_again_until_stopped(
    monkeypatch: pytest.MonkeyPatch, wait: Any
) -> None:
    monkeypatch.setattr(worker_process, "FIRST_DELAY", 0.05)
    said: list[str] = []
    process = WorkerProcess([sys.executable, "-c", "raise SystemExit(3)"], echo=said.append)
    process.start()
    try:
        wait(lambda: process.starts >= 3, "the dying command started three times", timeout=20)
    finally:
        process.stop(timeout=5)
    assert "The background worker stopped (exit status 3)" in said[0]
    starts = process.starts
    time.sleep(0.3)
    assert process.starts == starts  # stopped means no more starts


def test_stopping_ends_a_running_worker_at_once(wait: Any) -> None:
    process = WorkerProcess([sys.executable, "-c", "import time; time.sleep(60)"], echo=print)
    process.start()
    pid = wait(lambda: process.pid, "the child to start")
    began = time.monotonic()
    process.stop(timeout=5)
    assert time.monotonic() - began < 5
    assert not _alive(pid)


def test_serve_starts_a_worker_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, db: None, site_admin: Any
) -> None:
    from hikeshi.cli import web_processes
    from hikeshi.web import server

    events: list[str] = []

    class FakeProcess:
        def __init__(self, command: list[str], **kwargs: Any) -> None:
            events.append(" ".join(command[2:5]))

        def start(self) -> None:
            events.append("start")

        def stop(self, timeout: float = 0) -> None:
            events.append("stop")

    monkeypatch.setattr(server, "bind", lambda host, port: [])
    monkeypatch.setattr(web_processes, "run", lambda sockets, **kw: events.append("serving"))
    monkeypatch.setattr(worker_process, "WorkerProcess", FakeProcess)
    assert CliRunner().invoke(app, ["serve", "--no-worker"]).exit_code == 0
    assert events == ["serving"]
    events.clear()
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert events == ["hikeshi.cli worker --parent-pid", "start", "serving", "stop"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_jobs_restarts_its_worker_and_stops_it_on_sigterm(
    worker_site: Any, people: Any, wait: Any
) -> None:
    serve = worker_site.start("serve", "--port", str(_free_port()), "--processes", "1", log="serve")
    first = wait(lambda: _workers(serve.pid), "serve's worker", timeout=20)[0]
    # The worker beside serve runs the queue (it knows only hikeshi's own kinds, so it ends
    # this test kind's job with the message for a kind it cannot run).
    job = enqueue_job(BATCHES, incident_id=people.incident_id, actor=people.lead)
    wait(
        lambda: Job.objects.get(pk=job.pk).state == JobState.FAILED,
        "the worker to take the job",
        timeout=30,
    )
    assert Job.objects.get(pk=job.pk).failure_message == UNKNOWN_KIND

    os.kill(first, signal.SIGKILL)
    second = wait(
        lambda: [pid for pid in _workers(serve.pid) if pid != first], "a new worker", timeout=20
    )[0]
    assert "The background worker stopped" in worker_site.log("serve")

    serve.send_signal(signal.SIGTERM)
    assert serve.wait(30) == 0, worker_site.log("serve")
    assert not _alive(second)
