"""A responder watches a background job move on the incident page, in Japanese, without a reload."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils.translation import gettext_noop
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.conftest import sign_in

from hikeshi.incidents.models import Incident
from hikeshi.jobs.models import Job
from hikeshi.jobs.registry import register
from hikeshi.jobs.services import enqueue_job

KIND = "test_e2e_steps"
STEPS = 4
# The test lets the job take one step at a time.
step = threading.Semaphore(0)


def take_steps(job: Job, progress: Any) -> dict[str, int]:
    """Report one step each time the test releases ``step``."""
    for number in range(1, STEPS + 1):
        if not step.acquire(timeout=30):
            raise RuntimeError("the test stopped letting the job go on")
        progress(number, STEPS, gettext_noop("Writing batches"))
    return {"steps": STEPS}


# No transaction of its own: the test's in-memory SQLite locks whole tables, and the pages
# must read while the job runs (the progress board is what this test is about).
register(KIND, take_steps, label="Test steps", transactional=False)


@pytest.fixture
def job_thread(
    job_threads: Callable[[int], threading.Thread],
) -> Iterator[Callable[[int], threading.Thread]]:
    """Return job_threads; at the end, let an unfinished job end before it is joined."""
    yield job_threads
    for _ in range(STEPS):
        step.release()


@pytest.fixture(autouse=True)
def no_steps_left() -> Iterator[None]:
    """Leave no released step behind for the next test."""
    yield
    while step.acquire(blocking=False):
        pass


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_incident_page_follows_a_jobs_progress_without_reloading(
    page: Page,
    live_server: LiveServer,
    lead: User,
    incident: Incident,
    job_thread: Callable[[int], threading.Thread],
    screenshot: Callable[..., Path],
) -> None:
    job = enqueue_job(KIND, incident_id=incident.pk, actor=lead)
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")

    panel = page.locator("#jobs")
    expect(panel.get_by_role("heading", name="バックグラウンドジョブ")).to_be_visible()
    row = panel.locator(f'[data-job-id="{job.pk}"]')
    expect(row.locator("[data-job-state]")).to_have_text("待機中")
    expect(row).to_contain_text("ワーカーの空きを待っています")
    page.evaluate("window.stillTheSamePage = true")

    job_thread(job.pk)
    expect(row.locator("[data-job-state]")).to_have_text("実行中")
    bar = row.locator("progress")
    for number in range(1, STEPS):
        step.release()
        expect(bar).to_have_attribute("value", str(number))
        expect(row.locator("[data-job-percent]")).to_have_text(f"{number * 100 // STEPS}%")
        expect(row.locator("[data-job-counts]")).to_have_text(f"{number} / {STEPS}")
    expect(row.get_by_role("button", name=f"ジョブ {job.pk}（Test steps）を中止")).to_be_visible()
    panel.scroll_into_view_if_needed()
    screenshot("1-running")

    step.release()
    expect(row.locator("[data-job-state]")).to_have_text("完了")
    expect(row.locator("[data-job-result]")).to_have_text("steps: 4")
    expect(row.locator("[data-job-reload]")).to_be_visible()
    expect(row.locator("[data-job-progress-row]")).to_be_hidden()
    expect(row.locator("[data-job-cancel]")).to_be_hidden()
    screenshot("2-done")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Job.objects.get(pk=job.pk).state == "done"

    panel.get_by_role("link", name="すべてのジョブ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("バックグラウンドジョブ")
    listed = page.locator(f"#job-{job.pk}")
    expect(listed).to_contain_text("完了")
    expect(listed).to_contain_text("steps: 4")
    expect(listed).to_contain_text("lead")
    screenshot("3-jobs-page")
