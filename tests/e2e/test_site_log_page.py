"""A site administrator deactivates an account in the admin and finds it in the site log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from hikeshi.sitelog.audit import verify_site_log


def _sign_in(page: Page, live_server: LiveServer, user: User) -> None:
    """Give the browser a session of ``user`` (signing in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_deactivation_in_the_admin_shows_in_the_site_log(
    page: Page,
    live_server: LiveServer,
    site_admin: User,
    responder: User,
    screenshot: Callable[..., Path],
) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A CSP violation is reported here; the browser's own favicon request is not ours.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(message.text)

    page.on("console", on_console)
    _sign_in(page, live_server, site_admin)

    page.goto(f"{live_server.url}/admin/auth/user/{responder.pk}/change/")
    page.get_by_label("有効").uncheck()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.goto(f"{live_server.url}/incidents/")
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="サイトログ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("サイトログ")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("アカウントの無効化")
    expect(row).to_contain_text("responder")
    expect(row).to_contain_text("admin")
    expect(row).to_contain_text("127.0.0.1")
    expect(row).to_contain_text("管理サイト")  # through: admin site
    screenshot("1-site-log")

    page.get_by_label("イベント").select_option("api_token_issued")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.locator("tbody")).to_contain_text("条件に合う記録はありません。")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site log")
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("tbody tr").first).to_contain_text("Account deactivated")
    screenshot("2-english")

    assert problems == []
    assert verify_site_log() is None
