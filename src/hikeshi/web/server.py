"""The waitress server of `hikeshi serve`, keeping connections open after a HEAD request.

``bind`` opens the listening sockets (once, in `hikeshi serve` itself); ``create`` makes the
server of one web process over them (hikeshi.cli.web_processes runs several).

waitress decides how a response ends from its Content-Length: without one (a streamed
export) it announces chunked encoding, writes the closing ``0`` chunk and closes the
connection, HEAD or not. A HEAD answer has no body (RFC 9110, 9.3.2), so neither the
closing chunk nor the closed connection is needed: the task below leaves both out, and the
client can send its next request on the same connection.
"""

from __future__ import annotations

import socket
from typing import Any
from wsgiref.types import WSGIApplication

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask


class HeadAwareTask(WSGITask):  # type: ignore[misc]  # waitress ships no type information
    """A waitress task that ends a HEAD answer after its headers and keeps the connection."""

    _keeping_head_connection = False

    def build_response_header(self) -> bytes:
        """Return the status line and headers; for HEAD, without closing the connection."""
        asked_to_close = self.request.headers.get("CONNECTION", "").lower() == "close"
        self._keeping_head_connection = (
            self.request.command == "HEAD" and self.version == "1.1" and not asked_to_close
        )
        try:
            header: bytes = super().build_response_header()
        finally:
            self._keeping_head_connection = False
        if self.request.command == "HEAD":
            # "Transfer-Encoding: chunked" stays, as the GET would have it, but no body
            # follows, so there is no closing chunk either.
            self.chunked_response = False
        return header

    def set_close_on_finish(self) -> None:
        """Mark the connection to be closed, unless it only lacks a length on a HEAD answer."""
        if not self._keeping_head_connection:
            super().set_close_on_finish()


class HeadAwareChannel(HTTPChannel):  # type: ignore[misc]  # waitress ships no type information
    """A waitress connection whose requests run as HeadAwareTask."""

    task_class = HeadAwareTask


def bind(host: str, port: int) -> list[socket.socket]:
    """Return listening sockets on ``host``:``port``, one per address it resolves to.

    As waitress binds them itself ("localhost" gives IPv4 and IPv6); OSError when the port
    is taken, ValueError for a host that does not resolve.
    """
    adjustments = Adjustments(host=host, port=port)
    sockets: list[socket.socket] = []
    try:
        for family, kind, protocol, address in adjustments.listen:
            listener = socket.socket(family, kind, protocol)
            sockets.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(adjustments.backlog)
    except OSError:
        for listener in sockets:
            listener.close()
        raise
    return sockets


def create(application: WSGIApplication, **adjustments: Any) -> Any:
    """Return a waitress server (not yet running) whose connections use HeadAwareChannel."""
    servers: dict[int, Any] = {}
    # waitress would otherwise delete X-Forwarded-For/-Proto from every request (it trusts
    # no proxy by default); hikeshi.web.proxies decides itself, from HIKESHI_TRUSTED_PROXIES,
    # whose headers count, so they must reach it.
    adjustments.setdefault("clear_untrusted_proxy_headers", False)
    server = create_server(application, map=servers, **adjustments)
    # One listening server per address (IPv4 and IPv6 for "localhost"), all in the map.
    for listener in servers.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = HeadAwareChannel
    return server
