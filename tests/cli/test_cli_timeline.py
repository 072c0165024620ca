"""`hikeshi timeline export|import`: Timesketch columns out, CSV events in."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.incidents.models import Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.timeline import add_event

Run = Callable[..., Result]
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def recorded(incident: Incident, lead: User) -> Incident:
    """The incident with one event and one action at known times."""
    add_event(
        lead,
        incident.pk,
        occurred_at=datetime(2026, 11, 19, 23, 0, tzinfo=TOKYO),
        description="暗号化開始（推定）",
        precision="about",
        device="FS01",
    )
    append_action(
        incident.pk,
        lead,
        ActionInput(
            what="FS01 を隔離",
            performed_at=datetime(2026, 11, 20, 9, 45, tzinfo=TOKYO),
            scope="FS01",
            settings="ポート 12 無効化",
        ),
    )
    return incident


def test_export_csv_has_timesketch_columns(
    hikeshi: Run, site_admin: User, recorded: Incident
) -> None:
    result = hikeshi("timeline", "export", str(recorded.pk), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:4] == ["message", "datetime", "timestamp_desc", "timestamp"]
    event = rows[0]
    assert event["message"] == "暗号化開始（推定）"
    assert event["datetime"] == "2026-11-19T14:00:00+00:00"
    assert event["timestamp_desc"] == "Event time"
    assert event["timestamp"] == "1795096800000000"  # microseconds since the epoch
    assert event["precision"] == "about"
    action = next(r for r in rows if r["message"] == "FS01 を隔離")
    assert action["timestamp_desc"] == "Action performed"
    assert action["datetime"] == "2026-11-20T00:45:00+00:00"
    assert action["scope"] == "FS01"


def test_export_jsonl_to_a_file(
    hikeshi: Run, site_admin: User, recorded: Incident, tmp_path: Path
) -> None:
    target = tmp_path / "timeline.jsonl"
    result = hikeshi(
        "timeline", "export", str(recorded.pk), "--format", "jsonl", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["message"] == "暗号化開始（推定）"
    assert lines[0]["datetime"] == "2026-11-19T14:00:00+00:00"
    assert lines[0]["timestamp_desc"] == "Event time"
    assert lines[0]["timestamp"] == 1795096800000000
    assert {line["timestamp_desc"] for line in lines} == {"Event time", "Action performed"}
    assert f"Wrote {len(lines)} timeline entries" in result.stderr


def test_export_of_an_unknown_format_is_a_usage_error(
    hikeshi: Run, site_admin: User, recorded: Incident
) -> None:
    result = hikeshi("timeline", "export", str(recorded.pk), "--format", "xml")
    assert result.exit_code == 2


def test_import_reports_counts_and_each_rejected_line(
    hikeshi: Run, site_admin: User, incident: Incident, tmp_path: Path
) -> None:
    source = tmp_path / "proxy.csv"
    source.write_text(
        "datetime,message,device\n"
        "2026-11-19T23:05:00,C2 への通信,PC-01\n"
        "not a time,壊れた行,PC-01\n"
        "2026-11-19T23:10:00,,PC-01\n"
        "2026-11-19,日付だけの行,PC-02\n",
        encoding="utf-8",
    )
    result = hikeshi("timeline", "import", str(incident.pk), str(source))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Imported 2 events into incident #{incident.pk}; rejected 2 lines.",
        "  proxy.csv, line 3: datetime: not a date and time; write e.g. 2026/12/02 10:45, "
        "2026-12-02T10:45:00+09:00 or Timesketch microseconds",
        "  proxy.csv, line 4: message: empty message",
    ]
    imported = TimelineEvent.objects.filter(incident=incident).order_by("occurred_at")
    assert [e.description for e in imported] == ["日付だけの行", "C2 への通信"]


def test_import_of_a_file_without_the_needed_columns_fails(
    hikeshi: Run, site_admin: User, incident: Incident, tmp_path: Path
) -> None:
    source = tmp_path / "wrong.csv"
    source.write_text("when,what\n2026-11-19,x\n", encoding="utf-8")
    result = hikeshi("timeline", "import", str(incident.pk), str(source))
    assert result.exit_code == 1
    assert "wrong.csv: the header must name a time column" in result.stderr


def test_import_of_a_missing_file_is_a_usage_error(
    hikeshi: Run, site_admin: User, incident: Incident, tmp_path: Path
) -> None:
    result = hikeshi("timeline", "import", str(incident.pk), str(tmp_path / "none.csv"))
    assert result.exit_code == 2


def test_export_for_excel_with_local_times(
    hikeshi: Run, site_admin: User, recorded: Incident, tmp_path: Path
) -> None:
    target = tmp_path / "excel.csv"
    result = hikeshi(
        "timeline", "export", str(recorded.pk), "--bom", "--local-time", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    event = rows[0]
    assert event["local_datetime"] == "2026-11-19T23:00:00+09:00"
    assert event["time_zone"] == "Asia/Tokyo"


def test_bom_with_json_lines_is_a_usage_error(
    hikeshi: Run, site_admin: User, recorded: Incident
) -> None:
    result = hikeshi("timeline", "export", str(recorded.pk), "--format", "jsonl", "--bom")
    assert result.exit_code == 2
    assert "--bom applies to CSV only" in result.stderr


def test_export_neutralises_formula_cells(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    add_event(
        site_admin,
        incident.pk,
        occurred_at=datetime(2026, 11, 19, 23, 0, tzinfo=TOKYO),
        description="=cmd|' /C calc'!A0",
        device="+PC-01",
    )
    result = hikeshi("timeline", "export", str(incident.pk))
    event = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (event["message"], event["device"]) == ("'=cmd|' /C calc'!A0", "'+PC-01")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'datetime,message\n2026-11-20,"open\n', "the quote opened on line 2"),
        (b"datetime,message\n2026-11-20," + b"x" * (2 << 20), "line 2 is longer than"),
        (b"PK\x03\x04rest", "this is an Excel workbook"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_that_cannot_be_imported_fails_with_one_line(
    hikeshi: Run,
    site_admin: User,
    incident: Incident,
    tmp_path: Path,
    content: bytes,
    expected: str,
) -> None:
    source = tmp_path / "broken.csv"
    source.write_bytes(content)
    result = hikeshi("timeline", "import", str(incident.pk), str(source))
    assert result.exit_code == 1
    # The progress bar comes first on stderr, then the one line saying why.
    assert f"\nError: broken.csv: {expected}" in result.stderr
    assert result.stderr.count("\nError: ") == 1 and "Traceback" not in result.output
    assert not TimelineEvent.objects.filter(incident=incident).exists()


def test_import_reads_japanese_excel_csv_and_names_the_stored_copy(
    hikeshi: Run, site_admin: User, incident: Incident, tmp_path: Path
) -> None:
    source = tmp_path / "excel.csv"
    data = "日時,内容,端末\n2026/12/2 9:05,ログオン,PC-01\n2026-13-45 25:00,ありえない,PC-01\n"
    source.write_bytes(data.encode("cp932"))
    result = hikeshi("timeline", "import", str(incident.pk), str(source))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "  excel.csv, line 3: 日時: no such date or time (check the day, hour and offset)"
    )
    digest = hashlib.sha256(data.encode("cp932")).hexdigest()
    assert f"uploads/{digest}.csv (SHA-256 {digest})" in result.stderr
    event = TimelineEvent.objects.get(incident=incident)
    assert (event.description, event.device) == ("ログオン", "PC-01")


def test_import_runs_as_a_job_in_the_command_by_default(
    hikeshi: Run, site_admin: User, incident: Incident, tmp_path: Path
) -> None:
    from hikeshi.jobs.models import Job

    source = tmp_path / "now.csv"
    source.write_text("datetime,message\n2026-11-20T09:00:00,検知\n")
    default = hikeshi("timeline", "import", str(incident.pk), str(source))
    now = hikeshi("timeline", "import", str(incident.pk), str(source), "--now")

    assert default.exit_code == 0 and now.exit_code == 0, default.output + now.output
    jobs = list(Job.objects.filter(incident=incident).order_by("pk"))
    # Run here: never handed to the queue, done when the command ends, shown with a bar.
    assert [(job.state, job.task_result_id) for job in jobs] == [("done", ""), ("done", "")]
    assert f"#{jobs[0].pk} Timeline import" in default.stderr
    assert incident.events.count() == 2


def test_import_wait_queues_the_job_and_follows_it(
    hikeshi: Run,
    site_admin: User,
    incident: Incident,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hikeshi.cli import timeline as timeline_cli
    from hikeshi.jobs import runner
    from hikeshi.jobs.models import Job

    followed: list[int] = []

    def worker_runs_it(job_id: int) -> Job:
        # What a worker does while the command waits (wait_for_job is tested with a real
        # worker in tests/jobs/test_cli.py).
        assert Job.objects.get(pk=job_id).state == "queued"
        followed.append(job_id)
        ended = runner.execute(job_id)
        assert ended is not None
        return ended

    monkeypatch.setattr(timeline_cli, "wait_for_job", worker_runs_it)
    source = tmp_path / "wait.csv"
    source.write_text("datetime,message\n2026-11-20T09:00:00,検知\nnot a time,x\n")

    result = hikeshi("timeline", "import", str(incident.pk), str(source), "--wait")

    assert result.exit_code == 0, result.output
    job = Job.objects.get(incident=incident)
    assert followed == [job.pk] and job.task_result_id
    assert result.stdout.startswith(f"Imported 1 events into incident #{incident.pk}; rejected 1")
    both = hikeshi("timeline", "import", str(incident.pk), str(source), "--wait", "--now")
    assert both.exit_code == 2 and "--wait and --now" in both.stderr
