"""Timeline at scale: a generated incident, then the times of its pages, export and audit.

Creates an incident with N imported events (through ``import_csv``, from a generated CSV)
and M action records (through ``append_action``), then measures the import, two renders of
the incident page (page 1 and a middle page), a full CSV export (time and peak memory
traced by tracemalloc) and ``audit.verify_incident``. Prints a table and writes it to
``benchmarks/results/``.

Runs in a throw-away test database (Django's test-database machinery), never in the
configured one: ``make bench`` for SQLite in a temporary data directory,
``DATABASE_URL=postgres://… make bench`` for PostgreSQL. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TOKYO = ZoneInfo("Asia/Tokyo")
# A fixed past week, so that action times are never "in the future" and runs compare.
START = datetime(2025, 1, 6, 9, 0, tzinfo=TOKYO)
SPAN_SECONDS = 7 * 24 * 3600
TIMELINE_PAGE_SIZE = 200  # the timeline page's (incidents/selectors/timeline.py PAGE_SIZE)


@dataclass
class Measurement:
    """One row of the result table."""

    name: str
    value: str


@dataclass
class Run:
    """What was measured, on which machine and database."""

    events: int
    actions: int
    repeat: int
    note: str
    database: str = ""
    rows: list[Measurement] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        self.rows.append(Measurement(name, value))
        print(f"  {name:<52} {value}", flush=True)


def generated_csv(rows: int, seed: int = 7) -> bytes:
    """Return a CSV of ``rows`` firewall-like events over one week, with equal times."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["datetime", "message", "source", "device"])
    naive_start = START.replace(tzinfo=None)
    for n in range(rows):
        # Whole seconds over a week: about one in six times is shared by two rows or more.
        at = naive_start + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        host = rng.randrange(1, 250)
        writer.writerow(
            [
                at.isoformat(),
                f"deny tcp 10.0.{host}.{n % 250}:{40000 + n % 20000} -> 203.0.113.{host}:445",
                "fw01.csv",
                f"fw0{n % 3 + 1}",
            ]
        )
    return buffer.getvalue().encode()


def action_times(count: int, seed: int = 11) -> Iterator[datetime]:
    """Yield ``count`` action times within the events' week (whole seconds, so some tie)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield START + timedelta(seconds=rng.randrange(SPAN_SECONDS))


def timed(call: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def today() -> str:
    """Return the local date, ISO 8601."""
    return datetime.now(UTC).astimezone().date().isoformat()


def seconds(value: float) -> str:
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def megabytes(value: float) -> str:
    return f"{value / 1024 / 1024:,.1f} MiB"


def measure(run: Run) -> None:
    """Build the incident and fill ``run.rows``; Django is set up and the database empty."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hikeshi.incidents.audit.verify import verify_incident
    from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent
    from hikeshi.incidents.services.actions import ActionInput, append_action
    from hikeshi.incidents.services.incidents import IncidentInput, open_incident
    from hikeshi.incidents.services.timeline_import import import_csv

    lead = User.objects.create_user("bench-lead")
    incident = open_incident(
        lead,
        IncidentInput(
            title="ベンチマーク: 大きなタイムライン",
            detected_at=START,
            types=["ransomware"],
            time_zone="Asia/Tokyo",
        ),
    )
    content = generated_csv(run.events)
    began = time.perf_counter()
    report = import_csv(lead, incident, "fw01.csv", [content])
    run.add(
        f"import_csv, {run.events:,} rows ({megabytes(len(content))})",
        seconds(time.perf_counter() - began),
    )
    if report.error or report.rejected:
        raise SystemExit(f"the generated CSV was refused: {report.error or report.rejected[0]}")

    began = time.perf_counter()
    for n, at in enumerate(action_times(run.actions)):
        append_action(
            incident.pk,
            lead,
            ActionInput(what=f"対応 {n}", performed_at=at, scope=f"PC-{n % 40:02d}"),
        )
    run.add(f"append_action x {run.actions:,}", seconds(time.perf_counter() - began))
    incident.refresh_from_db()

    total = (
        TimelineEvent.objects.filter(incident=incident).count()
        + ActionRecord.objects.filter(incident=incident).count()
    )
    pages = -(-total // TIMELINE_PAGE_SIZE)
    client = Client()
    client.force_login(lead)
    timeline_url = reverse("incidents:timeline", kwargs={"incident_id": incident.pk})

    # The first page and the newest: read by keyset, the deep one costs what the first does.
    for page, query in ((1, ""), (pages, "?last=1")):
        url = f"{timeline_url}{query}"

        def render(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        with CaptureQueriesContext(connection) as queries:
            render()
        run.add(
            f"timeline page {page:,} of {pages:,} ({len(queries)} queries)",
            seconds(timed(render, run.repeat)),
        )

    export_url = reverse("incidents:export_csv", kwargs={"incident_id": incident.pk})

    def export() -> int:
        response = client.get(export_url)
        if not isinstance(response, StreamingHttpResponse):
            raise SystemExit(f"{export_url} did not stream ({response.status_code})")
        # Counted, not kept: the peak memory measured is the server side's.
        size = sum(len(chunk) for chunk in response)
        response.close()
        return size

    size = export()
    run.add(
        f"CSV export, {total:,} entries ({megabytes(size)}), time",
        seconds(timed(export, run.repeat)),
    )
    tracemalloc.start()
    export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    run.add("CSV export, peak traced memory", megabytes(peak))

    fresh = Incident.objects.get(pk=incident.pk)
    broken = verify_incident(fresh)
    if broken:
        raise SystemExit(f"the chain does not verify: {broken[0].describe()}")
    run.add(
        f"audit.verify_incident, {fresh.audit_length:,} records",
        seconds(timed(lambda: verify_incident(fresh), run.repeat)),
    )


def report(run: Run) -> str:
    """Return the run as Markdown."""
    import django

    lines = [
        f"# Timeline benchmark, {today()}",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
        f"- Database: {run.database}",
        f"- Data: {run.events:,} imported events, {run.actions:,} appended action records "
        "(plus the incident's own records)",
        f"- Import and appends are timed once; pages, export and audit are medians of "
        f"{run.repeat} runs",
    ]
    if run.note:
        lines.append(f"- Note: {run.note}")
    lines += ["", "| Measurement | Result |", "|---|---:|"]
    lines += [f"| {row.name} | {row.value} |" for row in run.rows]
    return "\n".join(lines) + "\n"


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file, WAL)"
        cursor.execute("show server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.timeline", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="imported events (100000)")
    parser.add_argument("--actions", type=int, default=2_000, help="appended actions (2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--note", default="", help="a line added to the result file")
    parser.add_argument(
        "--output",
        type=Path,
        help="result file (default: benchmarks/results/timeline-DATE.md, "
        "timeline-DATE-postgresql.md on PostgreSQL)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file next to the configured one: the in-memory default would flatter SQLite.
        name = Path(connection.settings_dict["NAME"]).with_name("benchmark.sqlite3")
        connection.settings_dict["TEST"]["NAME"] = str(name)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    run = Run(args.events, args.actions, args.repeat, args.note)
    try:
        run.database = database_description()
        print(f"Timeline benchmark on {run.database}", flush=True)
        measure(run)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    suffix = "" if run.database.startswith("SQLite") else f"-{connection.vendor}"
    output = args.output or RESULTS_DIR / f"timeline-{today()}{suffix}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report(run), encoding="utf-8")
    print(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
