"""Pages under load: `hikeshi serve` on a deployment-sized data set, measured over HTTP.

Builds (once, then cached) the data set of ``benchmarks.dataset``: 10,001 incidents with
1.19 M checklist items, one of them with 1,000,000 timeline events and 2,023 action records.
Copies it, brings it up to date with `hikeshi init` and serves it with `hikeshi serve` as
`make run` does (its defaults), signs in the generated users, and measures each page of
``PAGES`` twice:

- saturation: ``--connections`` keep-alive connections asking again as soon as answered
  (a closed loop without think time): requests per second;
- 50 users: one connection per signed-in user, each waiting 1 s after every answer:
  the 50th, 95th and 99th percentile of the response time.

The client is one asyncio loop speaking HTTP/1.1 over keep-alive sockets (no HTTP library),
so that it takes as little as possible of the cores it shares with the server; the CPU
time of both is reported with every figure.

SQLite by default; PostgreSQL when DATABASE_URL is set (that database is dropped and made
again from a template database holding the generated data). ``make bench-load``; see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from benchmarks.dataset import FACTS_FILE, GENERATOR_VERSION, Size

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"
HIKESHI = Path(sys.executable).parent / "hikeshi"
HOST = "127.0.0.1"
TIMEOUT = 120  # seconds a request may take before it counts as an error

# Who asks: a member of every incident (their session cookie), the site administrator or a
# member through the API (their tokens).
MEMBER = "member"
ADMIN_VIA_API = "admin over the API"
MEMBER_VIA_API = "member over the API"


@dataclass(frozen=True)
class Page:
    """One page to measure: ``path`` is formatted with the data set's facts."""

    name: str
    path: str
    who: str = MEMBER


# The pages measured, in order. Adjust here when a page moves.
PAGES = [
    Page("incident list", "/incidents/"),
    Page("incident list, filtered (status + type)", "/incidents/?status=response&type=ransomware"),
    Page("incident page", "/incidents/{incident}/"),
    Page("big incident's page", "/incidents/{big_incident}/"),
    # The big incident's events span a week from benchmarks.timeline.START (2025-01-06):
    # its fourth day starts about 430,000 entries deep.
    Page("timeline, middle page", "/incidents/{big_incident}/timeline/?at=2025-01-09"),
    Page("timeline, last page", "/incidents/{big_incident}/timeline/?last=1"),
    Page("largest checklist", "/incidents/{largest_checklist}/checklist/"),
    Page("API incident list", "/api/v1/incidents", ADMIN_VIA_API),
    Page("API timeline", "/api/v1/incidents/{big_incident}/timeline", MEMBER_VIA_API),
]


# ---------------------------------------------------------------------------- the client


class HttpError(Exception):
    """An answer that is not 200, or a broken connection."""


class Connection:
    """One keep-alive HTTP/1.1 connection sending GET requests with fixed extra headers."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.header_lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """Return the body's length; raise HttpError unless the answer is 200."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=1 << 20)
        if self.reader is None:
            raise HttpError("not connected")
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{self.header_lines}\r\n"
        try:
            self.writer.write(request.encode())
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip().lower()
            if b"content-length" in headers:
                size = int(headers[b"content-length"])
                await self.reader.readexactly(size)
            elif headers.get(b"transfer-encoding") == b"chunked":
                size = 0
                while True:
                    line = await self.reader.readuntil(b"\r\n")
                    chunk = int(line.split(b";")[0], 16)
                    await self.reader.readexactly(chunk + 2)
                    size += chunk
                    if chunk == 0:
                        break
            else:
                size = len(await self.reader.read())
                headers[b"connection"] = b"close"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            self.close()
            raise HttpError(f"{type(e).__name__}: {e}") from None
        if headers.get(b"connection") == b"close":
            self.close()
        if status != 200:
            raise HttpError(f"{path} answered {status}")
        return size

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Sample:
    """What one phase of one page measured."""

    done: int = 0
    errors: int = 0
    error: str = ""
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0  # share of one core
    server_cpu: float = 0.0  # share of one core (200% = both of two cores)
    size: int = 0

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree(pid: int) -> list[int]:
    """Return ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(status.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _process_cpu_seconds(pid: int) -> float:
    """Return the CPU time ``pid`` and its descendants used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


async def _run_phase(
    connections: list[Connection],
    path: str,
    *,
    seconds: float,
    warmup: float,
    think: float,
    server_pid: int,
) -> Sample:
    """Let every connection ask for ``path`` over and over; measure after ``warmup``."""
    sample = Sample()
    stop_at = time.perf_counter() + warmup + seconds
    window: list[float] = []  # [start] once the warm-up is over
    marks: dict[str, float] = {}

    async def user(connection: Connection, rng: random.Random) -> None:
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # users do not start in step
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                size = await asyncio.wait_for(connection.get(path), timeout=TIMEOUT)
            except (HttpError, TimeoutError) as error:
                connection.close()
                if window:
                    sample.errors += 1
                    sample.error = sample.error or str(error) or f"no answer in {TIMEOUT} s"
                await asyncio.sleep(0.1)
                continue
            ended = time.perf_counter()
            if window and began >= window[0]:
                sample.done += 1
                sample.latencies.append(ended - began)
                sample.size = size
            if think:
                await asyncio.sleep(think)

    async def open_window() -> None:
        await asyncio.sleep(warmup)
        window.append(time.perf_counter())
        marks["client"] = _cpu_seconds()
        marks["server"] = _process_cpu_seconds(server_pid)

    rngs = [random.Random(n) for n in range(len(connections))]
    await asyncio.gather(
        open_window(), *(user(c, r) for c, r in zip(connections, rngs, strict=True))
    )
    ended = time.perf_counter()
    sample.seconds = ended - window[0]
    sample.client_cpu = (_cpu_seconds() - marks["client"]) / sample.seconds
    sample.server_cpu = (_process_cpu_seconds(server_pid) - marks["server"]) / sample.seconds
    return sample


# ---------------------------------------------------------------------------- the server


@dataclass
class Site:
    """A served copy of the data set."""

    port: int
    process: subprocess.Popen[bytes]
    facts: dict[str, Any]
    cookies: dict[str, str] = field(default_factory=dict)  # user -> Cookie header


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, username: str, password: str) -> str:
    """Return the Cookie header of a signed-in session of ``username``."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit(f"no sign-in form at /login/ ({response.status})")
    csrf = _cookies(response)["csrftoken"]
    form = urlencode({"csrfmiddlewaretoken": token[1], "username": username, "password": password})
    connection.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or session is None:
        raise SystemExit(f"{username} could not sign in ({response.status})")
    return f"csrftoken={csrf}; sessionid={session}"


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"hikeshi serve stopped:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit("hikeshi serve did not answer within 120 s")
        time.sleep(0.5)


# ---------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Target:
    """Where the data set lives: SQLite in a data folder, or PostgreSQL."""

    work: Path  # the benchmark's folder (caches and the served copy)
    database_url: str  # "" for SQLite
    size: Size

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def cache(self) -> Path:
        return self.work / f"cache-{self.vendor}-{self.size.key()}-v{GENERATOR_VERSION}"

    @property
    def served(self) -> Path:
        return self.work / f"served-{self.vendor}"

    def template_url(self) -> str:
        parts = urlsplit(self.database_url)
        name = f"{parts.path.lstrip('/')}_load_{self.size.key().replace('-', '_')}"
        return urlunsplit(parts._replace(path=f"/{name}_v{GENERATOR_VERSION}"))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _maintenance(url: str, *statements: str) -> None:
    """Run statements on the server's ``postgres`` database (outside a transaction)."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # names we made ourselves


def _environment(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HIKESHI_DEBUG"}}
    env["HIKESHI_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (env.get("PYTHONPATH", ""), str(REPO)) if part
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def ensure_dataset(target: Target, say: Callable[[str], None]) -> dict[str, Any]:
    """Return the facts of the cached data set, generating it first if there is none."""
    facts_file = target.cache / FACTS_FILE
    if facts_file.exists():
        say(f"Using the data set cached in {target.cache}")
        return dict(json.loads(facts_file.read_text(encoding="utf-8")))
    building = target.cache.with_name(target.cache.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    url = ""
    if target.database_url:
        url = target.template_url()
        name = _database_name(url)
        _maintenance(
            url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
        )
    say(f"Generating the data set ({target.size}) in {building}; this takes a while")
    size = target.size
    # S603: this interpreter with our own module and fixed arguments.
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "benchmarks.dataset",
            f"--incidents={size.incidents}",
            f"--events={size.events}",
            f"--actions={size.actions}",
            f"--users={size.users}",
            f"--facts={building / FACTS_FILE}",
        ],
        env=_environment(building, url),
        check=True,
        cwd=REPO,
    )
    if url:
        # What autovacuum does on a server that has run a while: the planner's statistics.
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    building.rename(target.cache)
    return dict(json.loads(facts_file.read_text(encoding="utf-8")))


def prepare_copy(target: Target, say: Callable[[str], None]) -> None:
    """Make ``target.served`` a fresh copy of the cached data set and bring it up to date."""
    shutil.rmtree(target.served, ignore_errors=True)
    began = time.perf_counter()
    shutil.copytree(target.cache, target.served)
    if target.database_url:
        name = _database_name(target.database_url)
        template = _database_name(target.template_url())
        _maintenance(
            target.database_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
    say(f"Copied the data set in {time.perf_counter() - began:.0f} s; `hikeshi init`")
    # S603: this virtualenv's own script with fixed arguments.
    subprocess.run(  # noqa: S603
        [str(HIKESHI), "init"],
        env=_environment(target.served, target.database_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------------------- the run


@dataclass
class Result:
    page: Page
    path: str
    saturation: Sample
    users: Sample


@dataclass
class Run:
    target: Target
    args: argparse.Namespace
    facts: dict[str, Any] = field(default_factory=dict)
    database: str = ""
    results: list[Result] = field(default_factory=list)


def _headers(site: Site, who: str, number: int) -> dict[str, str]:
    facts = site.facts
    if who == ADMIN_VIA_API:
        return {"Authorization": f"Bearer {facts['tokens'][facts['admin']]}"}
    members = [name for name in facts["users"] if name.startswith("bench-") and name[6:].isdigit()]
    name = members[number % len(members)]
    if who == MEMBER_VIA_API:
        return {"Authorization": f"Bearer {facts['tokens'][name]}"}
    return {"Cookie": site.cookies[name]}


async def settle(pid: int, limit: float = 300) -> None:
    """Wait until the server is idle: it still answers requests whose clients have gone."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        used = _process_cpu_seconds(pid)
        await asyncio.sleep(1)
        if _process_cpu_seconds(pid) - used < 0.1:
            return


async def measure_page(site: Site, page: Page, path: str, args: argparse.Namespace) -> Result:
    """Return the page's saturation and 50-user samples, each started on an idle server."""
    pid = site.process.pid
    await settle(pid)
    connections = [
        Connection(site.port, _headers(site, page.who, n)) for n in range(args.connections)
    ]
    saturation = await _run_phase(
        connections, path, seconds=args.seconds, warmup=args.warmup, think=0, server_pid=pid
    )
    for connection in connections:
        connection.close()
    await settle(pid)
    users = [Connection(site.port, _headers(site, page.who, n)) for n in range(args.users)]
    loaded = await _run_phase(
        users, path, seconds=args.user_seconds, warmup=args.warmup, think=1.0, server_pid=pid
    )
    for connection in users:
        connection.close()
    return Result(page, path, saturation, loaded)


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value * 1000:,.0f}"


def _line(result: Result) -> str:
    s, u = result.saturation, result.users
    errors = s.errors + u.errors
    note = f" ({errors} errors: {s.error or u.error})" if errors else ""
    return (
        f"| {result.page.name} | {s.size / 1024:,.0f} KB | {s.rate:,.1f} "
        f"| {_ms(s.percentile(0.5))} | {_ms(u.percentile(0.5))} "
        f"| {_ms(u.percentile(0.95))} | {_ms(u.percentile(0.99))} "
        f"| {u.rate:,.1f} | {s.server_cpu:.0%} / {s.client_cpu:.0%} "
        f"| {u.server_cpu:.0%} / {u.client_cpu:.0%} |{note}"
    )


HEADER = [
    "| Page | Size | Saturation req/s | Saturation p50 ms | 50 users p50 ms | p95 ms | p99 ms "
    "| 50 users req/s | CPU server / client, saturation | CPU server / client, 50 users |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def report(run: Run) -> str:
    """Return the run as Markdown."""
    facts, args = run.facts, run.args
    lines = [
        f"# Load benchmark, {datetime.now(UTC).astimezone().date().isoformat()}",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- Database: {run.database}",
        f"- Data: {facts['incidents']:,} incidents, {facts['checklist_items']:,} checklist items; "
        f"incident #{facts['big_incident']} with {facts['big_events']:,} events and "
        f"{facts['big_actions']:,} action records; largest checklist "
        f"{facts['largest_checklist_items']} items (#{facts['largest_checklist']})",
        f"- Server: `hikeshi serve {' '.join(args.serve_args)}` (its defaults otherwise)",
        f"- Saturation: {args.connections} keep-alive connections without think time, "
        f"{args.seconds:g} s after {args.warmup:g} s of warm-up; 50 users: {args.users} "
        f"connections each waiting 1 s after every answer, {args.user_seconds:g} s",
        "- CPU: share of one core used by the server (all its processes) and by the load "
        "client, during the measurement",
    ]
    if args.note:
        lines.append(f"- Note: {args.note}")
    lines += ["", *HEADER, *(_line(result) for result in run.results), ""]
    lines += ["Paths:", ""] + [f"- {r.page.name}: `{r.path}`" for r in run.results]
    return "\n".join(lines) + "\n"


def _database_description(target: Target) -> str:
    if target.database_url:
        import psycopg

        with psycopg.connect(target.database_url) as conn:
            row = conn.execute("show server_version").fetchone()
        return f"PostgreSQL {row[0] if row else '?'}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (file, WAL)"


def run_benchmark(run: Run, say: Callable[[str], None]) -> None:
    """Serve the data set and fill ``run.results``."""
    target, args = run.target, run.args
    run.facts = ensure_dataset(target, say)
    prepare_copy(target, say)
    run.database = _database_description(target)
    port = _free_port()
    log = target.work / f"serve-{target.vendor}.log"
    env = _environment(target.served, target.database_url)
    with log.open("w") as output:
        # S603: this virtualenv's own script with fixed arguments.
        process = subprocess.Popen(  # noqa: S603
            [str(HIKESHI), "serve", "--port", str(port), *args.serve_args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log)
        site = Site(port, process, run.facts)
        for name in run.facts["users"]:
            if name.startswith("bench-") and name[6:].isdigit():
                site.cookies[name] = sign_in(port, name, run.facts["password"])
        say(f"Serving on port {port}; {len(site.cookies)} users signed in")
        chosen = [page for page in PAGES if not args.only or args.only in page.name]
        say("\n".join(HEADER))
        for page in chosen:
            path = page.path.format(**run.facts)
            result = asyncio.run(measure_page(site, page, path, args))
            run.results.append(result)
            say(_line(result))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: list[str] | None = None) -> int:
    """Run the load benchmark; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--work-dir", type=Path, default=REPO / "var" / "bench-load")
    parser.add_argument("--incidents", type=int, default=Size.incidents)
    parser.add_argument("--events", type=int, default=Size.events)
    parser.add_argument("--actions", type=int, default=Size.actions)
    parser.add_argument("--users", type=int, default=Size.users, help="users (50)")
    parser.add_argument("--connections", type=int, default=32, help="saturation connections")
    parser.add_argument("--seconds", type=float, default=10, help="saturation measurement")
    parser.add_argument("--user-seconds", type=float, default=20, help="50-user measurement")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--only", default="", help="measure pages whose name contains this")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="build (or find) the cached data set, then stop",
    )
    parser.add_argument("--note", default="", help="a line added to the result file")
    parser.add_argument(
        "--serve-arg",
        dest="serve_args",
        action="append",
        default=[],
        help="an argument added to `hikeshi serve` (repeat: --serve-arg=--threads --serve-arg=4)",
    )
    parser.add_argument("--output", type=Path, help="result file (benchmarks/results/load-DATE…)")
    args = parser.parse_args(argv)

    size = Size(args.incidents, args.events, args.actions, args.users)
    target = Target(args.work_dir.resolve(), os.environ.get("DATABASE_URL", ""), size)
    target.work.mkdir(parents=True, exist_ok=True)
    run = Run(target, args)

    def say(text: str) -> None:
        print(text, flush=True)

    if args.generate_only:
        ensure_dataset(target, say)
        return 0
    run_benchmark(run, say)
    suffix = "" if target.vendor == "sqlite" else f"-{target.vendor}"
    stamp = datetime.now(UTC).astimezone().date().isoformat()
    output = args.output or RESULTS_DIR / f"load-{stamp}{suffix}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report(run), encoding="utf-8")
    say(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
