"""`hikeshi config` documents every setting without leaking secrets; `serve` runs waitress."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

import pytest
import waitress.server
from typer.testing import CliRunner, Result

from hikeshi.cli import app, web_processes
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


def test_serve_opens_the_sockets_and_runs_the_web_processes(
    hikeshi: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, int]] = []
    runs: list[dict[str, Any]] = []
    listener = socket.socket()

    def bind(host: str, port: int) -> list[socket.socket]:
        opened.append((host, port))
        return [listener]

    def run(sockets: list[socket.socket], **kw: Any) -> None:
        assert sockets == [listener]
        runs.append(kw)

    monkeypatch.setattr(server, "bind", bind)
    monkeypatch.setattr(web_processes, "run", run)
    result = hikeshi("serve", "--port", "8123", "--threads", "4", "--processes", "3")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/ (3 processes x 4 threads;" in result.stdout
    assert opened == [("127.0.0.1", 8123)]
    assert runs == [{"processes": 3, "threads": 4}]
    assert listener.fileno() == -1  # closed when serve ends

    result = hikeshi("serve", "--port", "8123")
    assert runs[1] == {"processes": web_processes.default_process_count(), "threads": 8}


def test_one_process_per_core_by_default() -> None:
    assert web_processes.default_process_count() == len(os.sched_getaffinity(0))


def test_web_processes_are_waitress_with_head_aware_connections_on_shared_sockets() -> None:
    sockets = server.bind("127.0.0.1", 0)
    listening = server.create(lambda environ, start_response: [], sockets=sockets)
    try:
        assert isinstance(listening, waitress.server.TcpWSGIServer)
        assert listening.socket is sockets[0]  # the socket serve opened, not one of its own
        assert listening.channel_class is server.HeadAwareChannel
        assert server.HeadAwareChannel.task_class is server.HeadAwareTask
    finally:
        listening.close()


def test_serve_on_a_busy_port_is_a_clear_error(hikeshi: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = hikeshi("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_serve_on_a_host_that_does_not_resolve_is_a_clear_error(hikeshi: Run) -> None:
    result = hikeshi("serve", "--host", "no-such-host.invalid")
    assert result.exit_code == 1
    assert "Error: cannot listen on no-such-host.invalid:8000: " in result.stderr
