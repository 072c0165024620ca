"""Who is on the other end of a request: the one place that decides the client's address.

Without trusted proxies (HIKESHI_TRUSTED_PROXIES empty, the default) the client is the
socket peer and every forwarding header is ignored, since any client can send them. When
the peer is a trusted proxy, the client is the right-most X-Forwarded-For address that is
not itself a trusted proxy: each proxy appends the address it saw, so entries to the right
of the first untrusted one were written by proxies we trust, and everything to its left
may have been made up by the client. No other header (X-Real-IP, Forwarded, …) is read.

Lock-outs (django-axes, AXES_CLIENT_IP_CALLABLE), log lines and the site log all take the
address from :func:`client_address`, so they always agree on who the client was.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from hikeshi.config import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> IPAddress | None:
    """Return the address written in ``text`` (IPv4-mapped IPv6 as IPv4), or None if malformed."""
    value = text.strip()
    # A few proxies write IPv6 in brackets, as in a URL; a port is never part of an entry.
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None  # fe80::1%eth0 names a link on the proxy, not a client
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def _trusted_networks() -> tuple[IPNetwork, ...]:
    networks: tuple[IPNetwork, ...] = settings.HIKESHI_TRUSTED_PROXIES
    return networks


def _is_trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _peer(request: HttpRequest) -> IPAddress | None:
    raw = request.META.get("REMOTE_ADDR")
    return parse_address(raw) if isinstance(raw, str) else None


def peer_is_trusted_proxy(request: HttpRequest) -> bool:
    """Return whether the socket peer is one of HIKESHI_TRUSTED_PROXIES."""
    peer = _peer(request)
    networks = _trusted_networks()
    return peer is not None and bool(networks) and _is_trusted(peer, networks)


def forwarded_client(header: str, networks: tuple[IPNetwork, ...]) -> IPAddress | None:
    """Return the client named by an X-Forwarded-For value that a trusted proxy passed on.

    That is the right-most well-formed entry that is not a trusted proxy; when every entry is
    a trusted proxy, the left-most one (the request started inside the trusted network).
    Malformed entries (``unknown``, ``1.2.3.4:80``, junk) are skipped. None when nothing is
    usable.
    """
    entries = [parse_address(part) for part in header.split(",")]
    addresses = [address for address in entries if address is not None]
    for address in reversed(addresses):
        if not _is_trusted(address, networks):
            return address
    return addresses[0] if addresses else None


def client_address(request: HttpRequest) -> str | None:
    """Return the client's IP address as text, or None when the server reported no usable one.

    Used by django-axes (AXES_CLIENT_IP_CALLABLE), the site log and log lines alike.
    """
    peer = _peer(request)
    if peer is None:
        return None
    networks = _trusted_networks()
    if networks and _is_trusted(peer, networks):
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = forwarded_client(header, networks) if isinstance(header, str) else None
        if forwarded is not None:
            return str(forwarded)
    return str(peer)


def forwarded_scheme(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Return middleware that takes the scheme from X-Forwarded-Proto of a trusted proxy only.

    It replaces Django's SECURE_PROXY_SSL_HEADER, which believes the header from anyone: a
    client talking plain HTTP to hikeshi could claim ``https`` and get secure-only cookies
    and no redirect. It must run before SecurityMiddleware, which redirects to https.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if peer_is_trusted_proxy(request):
            header = request.META.get("HTTP_X_FORWARDED_PROTO", "")
            # As Django reads it: the first value, which the proxy facing the client set.
            proto = header.split(",", 1)[0].strip().lower() if isinstance(header, str) else ""
            if proto in ("http", "https"):
                # request.scheme reads wsgi.url_scheme (META and environ are one dict).
                request.META["wsgi.url_scheme"] = proto
        return get_response(request)

    return middleware
