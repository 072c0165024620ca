"""A responder's first hour, in a real browser, in Japanese, at 1366x768."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from hikeshi.incidents.models import ActionRecord, Incident

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_lead_opens_triages_and_records_an_action_that_shows_on_the_timeline(
    page: Page, live_server: LiveServer, lead: User, screenshot: Callable[..., Path]
) -> None:
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_label("ユーザー名").fill("lead")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="インシデント一覧")).to_be_visible()

    page.locator(".page-heading").get_by_role("link", name="新規インシデント").click()
    page.get_by_label("件名").fill("経理部PCのランサムウェア感染")
    page.get_by_label("ランサムウェア").check()
    page.get_by_label("ウイルス感染").check()
    page.get_by_label("発覚日時").fill("2026-11-20T09:30")
    page.get_by_label("事業者").first.fill("株式会社サンプル")
    page.get_by_label("発生事象").fill("共有フォルダのファイルが暗号化され、脅迫文が置かれている")
    screenshot("1-intake")
    page.get_by_role("button", name="起票する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("経理部PCのランサムウェア感染")
    expect(page.locator("#summary")).to_contain_text("2026-11-20 09:30")
    screenshot("2-incident")

    triage = page.locator("#triage")
    triage.get_by_label("インシデントである").check()
    triage.get_by_role("group", name="緊急度").get_by_label("高").check()
    triage.get_by_role("group", name="影響度").get_by_label("中").check()
    expect(triage.locator("td.is-chosen")).to_have_text("P2 高")  # the script marks it
    triage.get_by_role("button", name="トリアージを記録").click()
    expect(page.locator(".incident-badges .priority")).to_have_text("P2 高")
    expect(page.locator(".incident-badges .status")).to_have_text("対応")

    actions = page.locator("#actions")
    actions.get_by_label("実施内容").fill("感染端末をネットワークから隔離")
    actions.get_by_label("範囲").fill("PC-023（経理部）")
    actions.get_by_label("設定内容").fill("スイッチポート Gi0/23 を shutdown")
    actions.get_by_role("button", name="対応を記録").click()

    expect(page.get_by_role("status")).to_contain_text("対応を記録しました。")
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("感染端末をネットワークから隔離")).to_be_visible()
    expect(timeline).to_contain_text("スイッチポート Gi0/23 を shutdown")
    timeline.scroll_into_view_if_needed()
    screenshot("3-timeline")
    screenshot("4-whole-page", full_page=True)

    page.get_by_role("navigation", name="メイン").get_by_role(
        "link", name="インシデント", exact=True
    ).click()
    row = page.get_by_role("row").filter(has_text="経理部PCのランサムウェア感染")
    expect(row).to_contain_text("P2 高")
    screenshot("5-list")

    incident = Incident.objects.get(title="経理部PCのランサムウェア感染")
    recorded = ActionRecord.objects.filter(incident=incident, what="感染端末をネットワークから隔離")
    assert recorded.get().scope == "PC-023（経理部）"
