"""The client address and scheme: forwarding headers count only from trusted proxies."""

from __future__ import annotations

import logging
from ipaddress import ip_network
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from hikeshi import config
from hikeshi.web.proxies import client_address

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    """Trust one reverse proxy and the proxies' network 10.1.0.0/16."""
    settings.HIKESHI_TRUSTED_PROXIES = (ip_network(PROXY), ip_network("10.1.0.0/16"))


def _address(peer: str, forwarded: str | None = None) -> str | None:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers))


def test_without_trusted_proxies_the_socket_peer_is_the_client() -> None:
    assert settings.HIKESHI_TRUSTED_PROXIES == ()
    assert _address("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(behind_proxy: None) -> None:
    assert _address("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_a_trusted_proxy_names_the_client(behind_proxy: None) -> None:
    assert _address(PROXY, "203.0.113.9") == "203.0.113.9"


def test_the_right_most_untrusted_entry_wins_over_what_the_client_made_up(
    behind_proxy: None,
) -> None:
    # The client sent "1.2.3.4"; the proxy appended the address it really saw.
    assert _address(PROXY, "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    # Two proxies: the inner one (10.1.2.3, trusted) appended the outer one's view.
    assert _address(PROXY, "1.2.3.4, 203.0.113.9, 10.1.2.3") == "203.0.113.9"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("garbage, 203.0.113.9", "203.0.113.9"),
        ("203.0.113.9, unknown", "203.0.113.9"),
        ("203.0.113.9:443", PROXY),  # a port is not an address: nothing usable, the peer
        ("", PROXY),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("fe80::1%eth0", PROXY),
    ],
)
def test_malformed_entries_are_ignored(behind_proxy: None, header: str, expected: str) -> None:
    assert _address(PROXY, header) == expected


def test_a_request_from_inside_the_trusted_network_keeps_its_own_address(
    behind_proxy: None,
) -> None:
    assert _address(PROXY, "10.1.9.9") == "10.1.9.9"
    assert _address(PROXY) == PROXY


def test_no_other_header_is_believed(behind_proxy: None) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, headers={"X-Real-IP": "203.0.113.9", "Forwarded": "for=1.2.3.4"}
    )
    assert client_address(request) == PROXY


def test_a_bad_trusted_proxies_setting_names_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIKESHI_TRUSTED_PROXIES", "10.0.0.5, proxy.internal")
    with pytest.raises(config.ConfigError, match=r"HIKESHI_TRUSTED_PROXIES: 'proxy\.internal'"):
        config.env_networks("HIKESHI_TRUSTED_PROXIES")
    monkeypatch.setenv("HIKESHI_TRUSTED_PROXIES", "10.0.0.1/8")
    with pytest.raises(config.ConfigError, match="host bits"):
        config.env_networks("HIKESHI_TRUSTED_PROXIES")
    monkeypatch.setenv("HIKESHI_TRUSTED_PROXIES", " 10.0.0.5 ,fd00::/8,")
    assert config.env_networks("HIKESHI_TRUSTED_PROXIES") == (
        ip_network("10.0.0.5"),
        ip_network("fd00::/8"),
    )


def _fail_sign_in(client: Client, forwarded: str, peer: str = PROXY) -> int:
    response = client.post(
        reverse("login"),
        {"username": "lead", "password": "wrong"},
        REMOTE_ADDR=peer,
        headers={"X-Forwarded-For": forwarded},
    )
    return response.status_code


@pytest.mark.django_db
def test_behind_a_trusted_proxy_an_attacker_locks_out_only_their_own_address(
    behind_proxy: None, lead: User
) -> None:
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_sign_in(attacker, "198.51.100.66")
    assert _fail_sign_in(attacker, "198.51.100.66") == 429
    owner = Client()
    signed_in = owner.post(
        reverse("login"),
        {"username": "lead", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert signed_in.status_code == 302


@pytest.mark.django_db
def test_an_untrusted_client_cannot_dodge_the_lock_with_made_up_addresses(
    behind_proxy: None, lead: User
) -> None:
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        _fail_sign_in(client, f"203.0.113.{number}", peer="198.51.100.66")
    assert _fail_sign_in(client, "203.0.113.200", peer="198.51.100.66") == 429


@pytest.fixture
def https_site(settings: Any) -> None:
    """What HIKESHI_HTTPS=true sets: redirect to https, secure cookies."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_x_forwarded_proto_from_an_untrusted_client_does_not_count_as_https(
    https_site: None, behind_proxy: None, client: Client
) -> None:
    response = client.get(
        "/login/", REMOTE_ADDR="198.51.100.7", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_x_forwarded_proto_from_a_trusted_proxy_counts_as_https(
    https_site: None, behind_proxy: None, client: Client
) -> None:
    response = client.get("/login/", REMOTE_ADDR=PROXY, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.wsgi_request.is_secure()
    # Over plain http, even the trusted proxy's request is sent to https.
    plain = client.get("/login/", REMOTE_ADDR=PROXY, headers={"X-Forwarded-Proto": "http"})
    assert plain.status_code == 301


def test_django_is_not_told_to_believe_the_header_from_anyone() -> None:
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None


def test_hikeshi_serve_passes_forwarding_headers_on_for_hikeshi_to_judge() -> None:
    from hikeshi.web import server

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    listening = server.create(app, host="127.0.0.1", port=0)
    try:
        # waitress would delete X-Forwarded-* itself; only hikeshi.web.proxies may judge them.
        assert listening.adj.clear_untrusted_proxy_headers is False
        assert not listening.adj.trusted_proxy
    finally:
        listening.close()


@pytest.mark.django_db
def test_log_lines_name_the_client_a_trusted_proxy_reports(
    behind_proxy: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get("/no-such-page/", REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "1.2.3.4"})
        Client().get(
            "/no-such-page/", REMOTE_ADDR="198.51.100.7", headers={"X-Forwarded-For": "1.2.3.4"}
        )
    # The site's console handler rewrites each refusal in place (hikeshi.web.request_log).
    lines = [record.getMessage() for record in caplog.records]
    assert any("client=1.2.3.4" in line for line in lines), lines
    assert any("client=198.51.100.7" in line for line in lines), lines
