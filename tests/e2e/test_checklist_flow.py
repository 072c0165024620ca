"""Working through the checklist in a real browser, in Japanese, at 1366x768."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from hikeshi.incidents.models import ActionRecord, Incident

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
TITLE = "ファイルサーバのランサムウェア感染"


def _sign_in(page: Page, live_server: LiveServer) -> None:
    """Sign in as the lead (the shared test users are in tests/conftest.py)."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("lead")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="インシデント一覧")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_responder_marks_item_28_done_and_finds_the_action_on_the_timeline(
    page: Page, live_server: LiveServer, lead: User, screenshot: Callable[..., Path]
) -> None:
    _sign_in(page, live_server)
    page.locator(".page-heading").get_by_role("link", name="新規インシデント").click()
    page.get_by_label("件名").fill(TITLE)
    page.get_by_label("ランサムウェア").check()
    page.get_by_label("発覚日時").fill("2026-11-20T09:30")
    page.get_by_role("button", name="起票する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#checklist")).to_contain_text("初動対応")
    screenshot("1-incident")

    page.get_by_role("navigation", name="セクション").get_by_role(
        "link", name="チェックリスト", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("チェックリスト")
    expect(page.locator(".checklist-rules")).to_contain_text("実施日時、範囲、設定内容の記録")
    initial = page.locator("#phase-initial")
    expect(initial.locator(".check-item").filter(has_text="No.50")).to_contain_text(
        "ランサムウェア:タイプの確認"
    )
    expect(initial.locator(".check-item").filter(has_text="No.51")).to_contain_text(
        "ランサムウェア:感染端末の確認"
    )
    screenshot("2-checklist")

    incident = Incident.objects.get(title=TITLE)
    item_id = incident.checklist.get(key="matrix:28").pk
    item = page.locator(f"#item-{item_id}")
    # The list shows the summary; opening the item loads its steps and forms.
    expect(item.locator(".check-steps")).to_have_count(0)
    item.locator("summary").first.click()
    expect(item.locator(".check-steps")).to_contain_text("手順")
    screenshot("2b-item-opened")
    item.get_by_text("完了にする", exact=True).click()
    item.get_by_label("設定内容").fill("検体を隔離フォルダへ移動し SHA-256 を記録")
    item.get_by_role("button", name="完了として記録").click()

    # A refused form comes back on the item's own page, with what was typed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("マルウェアは削除せず隔離")
    item = page.locator(f"#item-{item_id}")
    expect(item.locator(".field-scope .error")).to_have_text(
        "対象にした機器・アカウント・システム（範囲）を入力してください。"
    )
    # The field to fix asks for focus (whether a headless window takes it varies).
    expect(item.get_by_label("範囲")).to_have_attribute("autofocus", "")
    expect(item.get_by_label("設定内容")).to_have_value("検体を隔離フォルダへ移動し SHA-256 を記録")
    screenshot("3-scope-missing")

    item.get_by_label("範囲").fill("FS01（ファイルサーバ）")
    item.get_by_role("button", name="完了として記録").click()

    # Back on the checklist at the item, opened again (its record loaded).
    expect(page.get_by_role("status")).to_contain_text("項目を完了にしました。")
    expect(page).to_have_url(re.compile(rf"/checklist/#item-{item_id}$"))
    item = page.locator(f"#item-{item_id}")
    expect(item.locator(".item-status")).to_have_text("完了")
    expect(item.locator(".check-done-line")).to_contain_text("lead")
    expect(item.locator(".check-done")).to_contain_text("FS01（ファイルサーバ）")
    screenshot("4-done")

    record = ActionRecord.objects.get(incident=incident, kind="checklist.done")
    item.get_by_role("link", name=f"タイムライン上の対応記録 #{record.sequence}").click()
    row = page.locator(f"#timeline-action-{record.pk}")
    expect(row).to_contain_text("マルウェアは削除せず隔離")
    expect(row).to_contain_text("FS01（ファイルサーバ）")
    expect(row).to_contain_text("検体を隔離フォルダへ移動し SHA-256 を記録")
    expect(row).to_be_in_viewport()
    screenshot("5-timeline")
    assert record.scope == "FS01（ファイルサーバ）"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_where_to_consult_walks_one_question_at_a_time_and_adds_a_contact_to_the_incident(
    page: Page,
    live_server: LiveServer,
    incident: Incident,
    screenshot: Callable[..., Path],
) -> None:
    _sign_in(page, live_server)
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="相談先").click()
    expect(page.get_by_role("heading", level=2, name="どのような状況ですか?")).to_be_visible()
    screenshot("1-first-question")
    page.get_by_role("link", name="セキュリティ侵害事象が発生している").click()
    page.get_by_role("link", name="自組織のPC・サーバ").click()
    page.get_by_role("link", name="はい", exact=True).click()
    expect(page.locator("#outcome-ipa_notification")).to_contain_text("IPA へ届け出る")
    expect(page.locator("#outcome-jpcert_report")).to_contain_text("03-6271-8901")
    screenshot("2-outcomes")

    page.goto(
        f"{live_server.url}/incidents/{incident.pk}/consult/?a=security_breach"
        "&a=own_systems_attacked&a=yes"
    )
    outcome = page.locator("#outcome-jpcert_report")
    card = outcome.locator(".consult-contact").filter(has_text="インシデント対応依頼")
    card.get_by_role("button", name="この案件に追加").click()
    expect(page.get_by_role("status")).to_contain_text("連絡先をこの案件に追加しました。")
    expect(page.locator("#outcome-jpcert_report")).to_contain_text("この案件に追加済み")
    screenshot("3-added")

    page.goto(f"{live_server.url}/incidents/{incident.pk}/#contacts")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("インシデント対応依頼")
    expect(contacts).to_contain_text("03-6271-8901")
    expect(contacts).to_contain_text("JPCERT/CC に報告・相談する")
    screenshot("4-incident-contacts")

    page.get_by_role("navigation", name="メイン").get_by_role("link", name="連絡先").click()
    page.get_by_label("名前・目的・電話番号・アドレスなどで検索").fill("ランサムウェア")
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page.locator("#kind-reference")).to_contain_text("No More Ransom")
    screenshot("5-contacts")
