"""The API docs page works offline: Swagger UI from the installed package, under the CSP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)

# Recorded before any script of the page runs (init scripts are not subject to its CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_every_operation_from_our_own_origin_within_the_csp(
    page: Page, live_server: LiveServer, lead: User, screenshot: Callable[..., Path]
) -> None:
    own = _origin(live_server.url)
    elsewhere: list[str] = []
    failed: list[str] = []
    console_errors: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        if _origin(request.url) != own:
            elsewhere.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console_errors.append(message.text)

    page.on("request", on_request)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("lead")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="インシデント一覧")).to_be_visible()
    for seen in (elsewhere, failed, console_errors):
        seen.clear()  # only what the docs page does counts

    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("hikeshi REST API")
    export = page.locator(".opblock-summary").filter(
        has_text="/api/v1/incidents/{incident_id}/timeline/export"
    )
    expect(export).to_be_visible()
    # An operation opens and shows its parameters: the bundle runs, not only its first paint.
    export.click()
    expect(page.locator(".opblock.is-open .parameters-container")).to_contain_text("format")
    page.wait_for_load_state("networkidle")
    screenshot("docs")

    assert page.locator(".opblock").count() >= 20
    assert elsewhere == [], f"requests to other hosts: {elsewhere}"
    assert failed == [], f"failed requests: {failed}"
    assert console_errors == [], f"console errors: {console_errors}"
    assert page.evaluate("window.__cspViolations") == []
