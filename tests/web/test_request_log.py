"""Refusals are logged as one line (method, path, status, user id, client), no traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.models import Incident
from hikeshi.web.request_log import OneLineRefusals


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Return what the site's configured console handler writes during the test."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, OneLineRefusals) for f in handler.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    # Swapped directly: setStream() would flush the old stream, which an earlier test's
    # captured stderr may have closed.
    previous = handler.stream
    handler.stream = stream
    yield stream
    handler.stream = previous


def test_a_viewer_refused_a_write_is_one_line_with_who_and_from_where(
    viewer: User, incident: Incident, log_output: io.StringIO
) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(viewer)

    response = client.post(f"/incidents/{incident.pk}/actions/", {"what": "x"})

    assert response.status_code == 403
    assert log_output.getvalue() == (
        f"POST /incidents/{incident.pk}/actions/ 403 user={viewer.pk} client=192.0.2.7: "
        "Forbidden (Permission denied)\n"
    )


def test_an_outsider_gets_one_line_for_a_404(
    outsider: User, incident: Incident, log_output: io.StringIO
) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.force_login(outsider)

    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert log_output.getvalue() == (
        f"GET /incidents/{incident.pk}/ 404 user={outsider.pk} client=198.51.100.4: Not Found\n"
    )


def test_an_api_refusal_names_the_token_user(
    viewer: User, incident: Incident, log_output: io.StringIO
) -> None:
    _, token = ApiToken.issue(viewer, "tests")
    client = Client(headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR="192.0.2.9")

    response = client.post(
        f"/api/v1/incidents/{incident.pk}/actions", {}, content_type="application/json"
    )

    assert response.status_code == 403
    line = log_output.getvalue()
    assert line.startswith(
        f"POST /api/v1/incidents/{incident.pk}/actions 403 user={viewer.pk} client=192.0.2.9: "
    )
    assert line.count("\n") == 1


def test_a_refused_csrf_check_is_one_line_without_a_user(db: None, log_output: io.StringIO) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.5")

    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    assert log_output.getvalue() == (
        "POST /login/ 403 user=- client=203.0.113.5: Forbidden (CSRF cookie not set.)\n"
    )


def test_a_newline_in_the_path_cannot_forge_a_second_line(
    db: None, log_output: io.StringIO
) -> None:
    assert Client().get("/nowhere%0AGET /admin/ 200").status_code == 404
    assert log_output.getvalue().count("\n") == 1
    assert "/nowhere\\nGET /admin/ 200 404" in log_output.getvalue()


def test_a_server_error_keeps_its_traceback(log_output: io.StringIO) -> None:
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", (), None
    )
    record.status_code = 500
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    logging.getLogger("django.request").handle(record)

    assert "Traceback" in log_output.getvalue()
    assert "RuntimeError: boom" in log_output.getvalue()
