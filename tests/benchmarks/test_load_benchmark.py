"""The load benchmark's parts at a tiny size: the generated data set is valid, the client
measures what a server sends."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType]]:
    """Return the benchmarks' dataset and load modules (the repository is not on sys.path)."""
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks import dataset, load

    yield dataset, load


@pytest.mark.django_db
def test_the_generated_data_set_is_what_it_says_and_its_chains_verify(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident, Membership

    dataset, load = bench
    size = dataset.Size(incidents=14, events=250, actions=80, users=3)
    said: list[str] = []
    facts = dataset.generate(size, said.append)

    assert facts["incidents"] == Incident.objects.count() == 15
    big = facts["big_incident"]
    assert facts["big_events"] == 250
    assert facts["big_actions"] == ActionRecord.objects.filter(incident_id=big).count() == 80
    # The checklists the guidance gives the cycle of types: 118.9 items on average.
    bulk_items = ChecklistItem.objects.exclude(incident_id=big).count()
    assert bulk_items == 1664  # one full cycle of the fourteen type combinations
    assert set(ChecklistItem.objects.values_list("status", flat=True)) >= {"todo", "done"}
    # The lead and every responder are members of every incident.
    assert Membership.objects.count() == 15 * 4
    assert facts["largest_checklist_items"] == 153
    dataset.verify(facts, said.append)  # raises SystemExit on a broken chain
    assert said[-1].startswith("Chains verified")

    paths = [page.path.format(**facts) for page in load.PAGES]
    assert f"/incidents/{big}/timeline/?last=1" in paths
    assert f"/incidents/{big}/timeline/?at=2025-01-09" in paths


def _in_own_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` in an event loop of its own thread: a browser test on the same worker
    may have left Playwright's loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b"x" * 1000
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:300], body[300:]):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        status = 200 if self.path == "/page" else 404
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_client_reads_lengths_and_chunks_on_one_connection(
    bench: tuple[ModuleType, ModuleType], site: int
) -> None:
    _, load = bench

    async def visit() -> tuple[int, int, Any]:
        connection = load.Connection(site, {"Cookie": "sessionid=x"})
        first = await connection.get("/page")
        writer = connection.writer
        second = await connection.get("/chunked")
        assert connection.writer is writer  # kept alive
        with pytest.raises(load.HttpError, match="answered 404"):
            await connection.get("/missing")
        connection.close()
        return first, second, writer

    first, second, _ = _in_own_loop(visit())
    assert (first, second) == (1000, 1000)


def test_a_phase_counts_answers_within_its_window_only(
    bench: tuple[ModuleType, ModuleType], site: int
) -> None:
    _, load = bench

    async def measure() -> Any:
        connections = [load.Connection(site, {}) for _ in range(4)]
        sample = await load._run_phase(
            connections, "/page", seconds=0.5, warmup=0.2, think=0, server_pid=os.getpid()
        )
        for connection in connections:
            connection.close()
        return sample

    sample = _in_own_loop(measure())
    assert sample.errors == 0
    assert sample.done == len(sample.latencies) > 0
    assert 0.45 < sample.seconds < 5  # a busy machine may stretch the window, never cut it
    assert sample.size == 1000
    assert sample.percentile(0.5) <= sample.percentile(0.99)
