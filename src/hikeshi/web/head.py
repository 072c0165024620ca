"""HEAD requests answered with the GET's headers and no body, for every route at once.

Django answers HEAD by running the GET view; WSGI servers such as waitress then send
whatever body the view returns. For a streamed timeline export that means reading and
sending every row to a client that asked for headers only (and, on a kept-alive
connection, bytes the client reads as the start of its next response). Wrapping the
WSGI application fixes it for every view, streamed or not, whatever the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


def without_head_bodies(application: WSGIApplication) -> WSGIApplication:
    """Return ``application`` answering HEAD with headers only, its body closed unread."""

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "").upper() != "HEAD":
            return application(environ, start_response)
        started = False

        def recording_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: _ExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            nonlocal started
            started = True
            return start_response(status, headers, exc_info)

        body = application(environ, recording_start_response)
        try:
            if not started:
                # PEP 3333 lets an application call start_response on its first item;
                # only then, and only that item, is read (Django never gets here).
                next(iter(body), None)
        finally:
            # Closing a streamed response closes its generator without running it, and
            # lets Django send request_finished (database connections go back).
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return []

    return wrapped
