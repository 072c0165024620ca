"""Filling in the import template, importing it and exporting for Excel, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.conftest import sign_in

from hikeshi.incidents.models import Incident
from hikeshi.jobs import runner
from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import JobKind


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_lead_fills_in_the_template_imports_it_and_exports_for_excel(
    page: Page,
    live_server: LiveServer,
    incident: Incident,
    lead: User,
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/timeline/")

    timeline = page.locator("#timeline")
    timeline.get_by_text("取り込める列と日時の書式").click()
    expect(timeline.locator(".import-columns")).to_contain_text("発生日時")
    with page.expect_download() as template:
        timeline.get_by_role("link", name="日本語の列名").click()
    filled = tmp_path / "記入済み.csv"
    lines = Path(template.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "日時,内容,精度,発生源,機器"
    # As Japanese Excel saves "CSV": Shift_JIS, one impossible date added.
    rows = [*lines, "2026/02/30 10:00,ありえない日付,,,PC-02"]
    filled.write_bytes("\r\n".join(rows).encode("cp932"))
    timeline.scroll_into_view_if_needed()
    screenshot("1-formats")

    timeline.locator(".import-form input[type=file]").set_input_files(str(filled))
    timeline.locator(".import-form").get_by_role("button", name="取り込む").click()
    # The import is a background job: run it here, as a worker would; the page shows its end.
    expect(page).to_have_url(re.compile(rf"/incidents/{incident.pk}/timeline/import/\d+/$"))
    runner.execute(Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident).pk)

    report = page.locator(".import-report")
    expect(report).to_contain_text("3 行を取り込みました。")
    expect(report).to_contain_text("1 行を取り込めませんでした。")
    expect(report.locator(".rejected-rows")).to_contain_text("日時: 存在しない日時です")
    expect(report).to_contain_text("Shift_JIS (CP932)")
    screenshot("2-report")

    page.get_by_role("link", name="タイムラインに戻る").click()
    export = page.locator("#timeline .export-form")
    expect(page.locator("#timeline table.timeline")).to_contain_text("PC-01")
    screenshot("3-timeline-page", full_page=True)
    export.get_by_label("Excel 用（BOM 付き UTF-8）").check()
    export.get_by_label("Asia/Tokyo の日時も付ける").check()
    with page.expect_download() as exported:
        export.get_by_role("button", name="CSV").click()
    data = Path(exported.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.endswith("local_datetime,time_zone")
    assert incident.events.count() == 3
