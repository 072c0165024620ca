"""HEAD answers carry the headers of the GET and no body; a streamed body is never read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

from hikeshi.web.head import without_head_bodies


class _Rows:
    """A streamed export body that records whether it was read and closed."""

    def __init__(self) -> None:
        self.produced = 0
        self.closed = False

    def lines(self) -> Iterator[bytes]:
        for number in range(1_000_000):
            self.produced += 1
            yield f"row {number}\n".encode()

    def close(self) -> None:
        self.closed = True


def _call(application: Any, method: str) -> tuple[list[tuple[str, str]], list[bytes]]:
    started: list[tuple[str, str]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.extend([("status", status), *headers])
        return lambda data: None

    body = application({"REQUEST_METHOD": method, "PATH_INFO": "/"}, start_response)
    return started, list(body)


def test_head_of_a_streamed_response_closes_its_generator_unread(db: None) -> None:
    # db: closing a Django response sends request_finished, which tidies connections.
    rows = _Rows()
    generator = rows.lines()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = StreamingHttpResponse(generator, content_type="text/csv")
        response._resource_closers.append(rows.close)
        start_response("200 OK", list(response.items()))
        return response

    headers, body = _call(without_head_bodies(application), "HEAD")

    assert ("status", "200 OK") in headers
    assert ("Content-Type", "text/csv") in headers
    assert body == []
    assert rows.produced == 0
    assert rows.closed
    assert generator.gi_frame is None  # closed: it can never run now


def test_get_still_streams_the_whole_body() -> None:
    rows = _Rows()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (line for line, _ in zip(rows.lines(), range(3), strict=False))

    _, body = _call(without_head_bodies(application), "GET")

    assert body == [b"row 0\n", b"row 1\n", b"row 2\n"]


def test_an_application_that_starts_its_response_late_gets_only_its_first_item_read() -> None:
    rows = _Rows()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        # PEP 3333 allows start_response at the first iteration.
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield from rows.lines()

    headers, body = _call(without_head_bodies(application), "HEAD")

    assert ("status", "200 OK") in headers
    assert body == []
    assert rows.produced == 1
