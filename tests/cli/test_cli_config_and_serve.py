"""`hikeshi config` documents every setting without leaking secrets; `serve` runs waitress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import waitress.server
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.config import SETTINGS
from hikeshi.web import server

Run = Callable[..., Result]


def test_config_lists_every_setting_with_its_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIKESHI_DEBUG", "false")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    for setting in SETTINGS:
        assert f"{setting.name} = " in result.stdout
        assert setting.help in result.stdout
    assert "HIKESHI_DEBUG = false  (from the environment)" in result.stdout


def test_config_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIKESHI_SECRET_KEY", "very-secret-key")
    monkeypatch.setenv("DATABASE_URL", "postgres://hikeshi:db-password@db:5432/hikeshi")
    result = CliRunner().invoke(app, ["config"])
    assert "very-secret-key" not in result.output
    assert "db-password" not in result.output
    assert "HIKESHI_SECRET_KEY = (set, hidden)" in result.stdout
    assert "DATABASE_URL = postgres://hikeshi:***@db:5432/hikeshi" in result.stdout


class _Listening:
    def __init__(self) -> None:
        self.ran = False

    def run(self) -> None:
        self.ran = True


def test_serve_runs_waitress_and_prints_the_url(
    hikeshi: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    listening = _Listening()

    def create(application: object, **kw: Any) -> _Listening:
        calls.append(kw)
        return listening

    monkeypatch.setattr(server, "create", create)
    result = hikeshi("serve", "--port", "8123", "--threads", "4")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.stdout
    assert calls == [{"host": "127.0.0.1", "port": 8123, "threads": 4}]
    assert listening.ran


def test_the_server_is_waitress_with_head_aware_connections() -> None:
    listening = server.create(lambda environ, start_response: [], host="127.0.0.1", port=0)
    try:
        assert isinstance(listening, waitress.server.TcpWSGIServer)
        assert listening.channel_class is server.HeadAwareChannel
        assert server.HeadAwareChannel.task_class is server.HeadAwareTask
    finally:
        listening.close()


def test_serve_on_a_busy_port_is_a_clear_error(
    hikeshi: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(application: object, **kw: object) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(server, "create", busy)
    result = hikeshi("serve")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot listen on 127.0.0.1:8000: Address already in use\n"
