"""Setting up two-factor sign-in and signing in with a code, in a real browser, in Japanese."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)


def _sign_in_with_password(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("ユーザー名").fill("lead")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_person_sets_up_two_factor_sign_in_and_signs_in_with_a_code(
    page: Page, live_server: LiveServer, lead: User, screenshot: Callable[..., Path]
) -> None:
    base = live_server.url
    _sign_in_with_password(page, base)
    expect(page.get_by_role("heading", name="インシデント一覧")).to_be_visible()

    page.get_by_role("link", name="lead").click()
    expect(page.get_by_role("heading", name="個人設定")).to_be_visible()
    page.get_by_role("link", name="二要素認証を設定する").click()

    qr = page.locator("svg.qr-code")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 100  # large enough for a phone camera
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    screenshot("1-enrol")
    page.get_by_label("コード").fill(totp.now())
    page.get_by_role("button", name="二要素認証を有効にする").click()

    expect(page.get_by_role("heading", name="あなたのリカバリーコード")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    recovery = page.locator(".recovery-codes li").first.inner_text().strip()
    screenshot("2-recovery-codes")
    page.get_by_role("link", name="保管しました").click()
    expect(page.locator("#two-factor")).to_contain_text("有効")

    page.get_by_role("button", name="ログアウト").click()
    _sign_in_with_password(page, base)
    expect(page.get_by_role("heading", name="コードを入力してください")).to_be_visible()
    screenshot("3-code-step")
    # The code of the next 30-second step: the enrolment code may not be used again, and
    # one step ahead is accepted (a phone clock a little fast).
    page.get_by_label("コード").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="インシデント一覧")).to_be_visible()

    # A recovery code works once in place of the app.
    page.get_by_role("button", name="ログアウト").click()
    _sign_in_with_password(page, base)
    page.get_by_label("コード").fill(recovery)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("残りのリカバリーコードは 9 個です")
