"""A real browser for the page tests: Playwright's sync API driving Debian's chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise
# refuse database access from it (the live server itself is an ordinary thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Return a fresh page at 1366x768 whose browser asks for Japanese, in Tokyo time."""
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Return a function saving the page to test-artifacts/<test name>-<step>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(step: str, *, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


# The shared test users' password (tests/conftest.py).
PASSWORD = "correct horse battery staple"


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Sign in through the Japanese login form, as a person would."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


@pytest.fixture
def job_threads() -> Iterator[Callable[[int], threading.Thread]]:
    """Return a function running a job in a thread, as a worker would; joined at the end.

    A test whose job waits on it must let the job go on in a fixture of its own that
    depends on this one (torn down first).
    """
    from django.db import connections

    from hikeshi.jobs import runner
    from hikeshi.jobs.board import board

    threads: list[threading.Thread] = []

    def start(job_id: int) -> threading.Thread:
        def run() -> None:
            try:
                runner.execute(job_id)
            finally:
                board().release()
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        return thread

    yield start
    for thread in threads:
        thread.join(300)
