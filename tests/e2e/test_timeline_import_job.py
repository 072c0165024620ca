"""A responder uploads a 100,000-row timeline and watches its import job move, then the report."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.conftest import sign_in

from hikeshi.incidents.models import Incident
from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import JobKind

ROWS = 100_000
# Every thousandth row cannot be read: the report lists them with their lines.
BAD_EVERY = 1000


def _write_timeline(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("datetime,message,device\n")
        for number in range(ROWS):
            if number % BAD_EVERY == BAD_EVERY - 1:
                out.write(f"not a time,壊れた行 {number},FS01\n")
            else:
                seconds = number % 60
                minutes = number // 60 % 60
                out.write(f"2026-11-20T09:{minutes:02d}:{seconds:02d}+09:00,接続 {number},FS01\n")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_large_import_shows_its_progress_then_its_report(
    page: Page,
    live_server: LiveServer,
    lead: User,
    incident: Incident,
    tmp_path: Path,
    job_threads: Callable[[int], threading.Thread],
    screenshot: Callable[..., Path],
) -> None:
    source = tmp_path / "fs01-100k.csv"
    _write_timeline(source)
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")

    # The import sits folded under the incident page's timeline.
    page.get_by_text("CSV からイベントを取り込む").click()
    form = page.locator("form.import-form")
    form.locator('input[type="file"]').set_input_files(str(source))
    form.get_by_role("button", name="取り込む").click()

    expect(page).to_have_url(re.compile(rf"/incidents/{incident.pk}/timeline/import/\d+/$"))
    job = Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident)
    card = page.locator(f'[data-job-id="{job.pk}"]')
    expect(card.locator("[data-job-state]")).to_have_text("待機中")
    page.evaluate("window.stillTheSamePage = true")

    job_threads(job.pk)
    expect(card.locator("[data-job-state]")).to_have_text("実行中", timeout=30_000)
    # Part of the way: the bar moved without a reload, counting bytes.
    percent = card.locator("[data-job-percent]")
    expect(percent).to_have_text(re.compile(r"^[1-9]\d?%$"), timeout=120_000)
    expect(card.locator("[data-job-counts]")).to_contain_text("MB")
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot("1-importing")

    # When the job ends the page shows the report in its place.
    counts = page.locator(".import-counts")
    expect(counts).to_contain_text("99900 行を取り込みました。", timeout=240_000)
    expect(counts).to_contain_text("100 行を取り込めませんでした。")
    first_rejected = page.locator(".rejected-rows tbody tr").first
    expect(first_rejected).to_contain_text(str(BAD_EVERY + 1))
    screenshot("2-report")
    assert incident.events.count() == ROWS - ROWS // BAD_EVERY
