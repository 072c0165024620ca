"""A real `hikeshi serve` (waitress in two processes): HEAD answers, refused requests, uploads
that fail, and both processes answering on the one port."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

HIKESHI = Path(sys.executable).parent / "hikeshi"


@dataclass
class Server:
    port: int
    data_dir: Path
    log: Path
    password: str
    pid: int

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HIKESHI_DEBUG"}}
    env["HIKESHI_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("served")
    env = _environment(data_dir)
    # S603: this virtualenv's own script with fixed arguments.
    init = subprocess.run(  # noqa: S603
        [str(HIKESHI), "init", "--demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert init.returncode == 0, init.stderr
    password = re.findall(r"^ {4}(\S+)$", init.stdout, flags=re.MULTILINE)[0]
    port = _free_port()
    log = data_dir.parent / "served.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                str(HIKESHI),
                "serve",
                "--port",
                str(port),
                "--processes",
                "2",
                "--threads",
                "2",
                "--no-worker",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "hikeshi serve did not start"
                time.sleep(0.2)
        yield Server(port, data_dir, log, password, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _login_form(connection: http.client.HTTPConnection) -> tuple[str, str]:
    """Return the CSRF cookie and the form's token of the sign-in page."""
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    return _cookies(response)["csrftoken"], token[1]


def _session(server: Server) -> str:
    """Return the Cookie header of a signed-in administrator."""
    connection = server.connect()
    csrf_cookie, token = _login_form(connection)
    form = urlencode(
        {"csrfmiddlewaretoken": token, "username": "admin", "password": server.password}
    )
    connection.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{server.port}/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    connection.close()
    return f"csrftoken={csrf_cookie}; sessionid={_cookies(response)['sessionid']}"


def _bytes_after(sock: socket.socket, wait: float = 1.0, first: float = 20.0) -> bytes:
    """Return what the server sends: its first bytes within ``first`` seconds (a busy
    machine may take a while), then anything more within ``wait`` seconds of the last."""
    sock.settimeout(first)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
            sock.settimeout(wait)
    except TimeoutError:
        pass
    return received


def test_head_of_a_streamed_export_sends_headers_only_and_keeps_the_connection(
    server: Server,
) -> None:
    cookie = _session(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        request = (
            "HEAD /incidents/1/timeline.csv HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nCookie: {cookie}\r\n\r\n"
        )
        sock.sendall(request.encode())
        received = _bytes_after(sock)
        head, separator, body = received.partition(b"\r\n\r\n")
        assert separator, received
        assert head.startswith(b"HTTP/1.1 200 OK"), head
        assert b'filename="hikeshi-incident-1-timeline.csv"' in head
        assert b"Connection: close" not in head
        assert body == b""

        # The same connection answers the next request in full.
        sock.sendall(request.replace("HEAD", "GET", 1).encode())
        response = _bytes_after(sock)
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK"), head
        assert b"Transfer-Encoding: chunked" in head
        assert b"datetime" in body.split(b"\r\n")[1]  # the CSV header, the first chunk


def test_http_client_reuses_its_connection_after_a_head(server: Server) -> None:
    cookie = _session(server)
    connection = server.connect()
    connection.request("HEAD", "/incidents/1/timeline.jsonl", headers={"Cookie": cookie})
    head = connection.getresponse()
    assert head.status == 200
    assert head.read() == b""
    assert not head.will_close
    sock = connection.sock

    connection.request("GET", "/incidents/1/timeline.jsonl", headers={"Cookie": cookie})
    assert connection.sock is sock  # sent on the same connection, no reconnection
    get = connection.getresponse()
    lines = get.read().decode().splitlines()
    assert get.status == 200
    assert len(lines) > 5 and all(line.startswith("{") for line in lines)


def test_head_of_a_page_has_the_length_of_the_get_and_no_body(server: Server) -> None:
    cookie = _session(server)
    connection = server.connect()
    connection.request("GET", "/incidents/1/", headers={"Cookie": cookie})
    get = connection.getresponse()
    page = get.read()
    connection.request("HEAD", "/incidents/1/", headers={"Cookie": cookie})
    head = connection.getresponse()

    assert head.status == 200
    assert head.read() == b""
    assert int(head.headers["Content-Length"]) == len(page)
    connection.request("GET", "/incidents/1/", headers={"Cookie": cookie})
    # The same page again (its CSRF token differs, its length does not).
    assert len(connection.getresponse().read()) == len(page)


def test_refusals_are_logged_as_one_line_without_a_traceback(server: Server) -> None:
    cookie = _session(server)
    connection = server.connect()
    connection.request("GET", "/incidents/999/", headers={"Cookie": cookie})
    missing = connection.getresponse()
    missing.read()
    assert missing.status == 404
    connection.request(
        "POST",
        "/login/",
        body="username=admin&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert connection.getresponse().status == 403
    time.sleep(0.5)

    log = server.log.read_text()
    assert "Traceback" not in log
    assert re.search(r"^GET /incidents/999/ 404 user=1 client=127\.0\.0\.1: Not Found$", log, re.M)
    assert re.search(
        r"^POST /login/ 403 user=- client=127\.0\.0\.1: Forbidden \(CSRF cookie not set\.\)$",
        log,
        re.M,
    )


def test_an_upload_refused_mid_request_leaves_no_file_behind(server: Server) -> None:
    uploads = server.data_dir / "uploads-tmp"
    assert uploads.is_dir()
    connection = server.connect()
    csrf_cookie, _ = _login_form(connection)
    boundary = "hikeshi-test-boundary"
    # Larger than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django spools it to a file.
    content = b"datetime,message\n" + b"2026-11-20T09:30:00+09:00,x\n" * 120_000
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'wrong-token\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="timeline.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://127.0.0.1:{server.port}/login/",
        },
    )
    response = connection.getresponse()
    response.read()

    assert response.status == 403  # the form was read (the file spooled), then refused
    # Django deletes the file when the request is closed, just after the answer is sent.
    deadline = time.monotonic() + 10
    while list(uploads.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(uploads.iterdir()) == []


def _web_processes(server: Server) -> list[int]:
    """Return the ids of serve's web server processes (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parent = re.search(r"^PPid:\s+(\d+)$", status.read_text(), re.M)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if parent and int(parent[1]) == server.pid and b"hikeshi.cli.web_processes" in command:
            found.append(int(status.parent.name))
    return sorted(found)


def _answers(server: Server) -> None:
    """Fail unless a new connection gets the sign-in page."""
    connection = server.connect()
    connection.request("GET", "/login/")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200


def test_two_processes_each_answer_on_the_one_port(server: Server) -> None:
    processes = _web_processes(server)
    assert len(processes) == 2
    for held in processes:
        # A stopped process accepts nothing: every connection is the other one's to answer.
        os.kill(held, signal.SIGSTOP)
        try:
            for _ in range(3):
                _answers(server)
        finally:
            os.kill(held, signal.SIGCONT)


def test_a_web_process_that_dies_is_started_again(server: Server) -> None:
    killed = _web_processes(server)[0]
    os.kill(killed, signal.SIGKILL)
    _answers(server)  # the other one answers meanwhile
    deadline = time.monotonic() + 20
    while len(_web_processes(server)) < 2 or killed in _web_processes(server):
        assert time.monotonic() < deadline, "no new web process"
        time.sleep(0.2)
    assert "stopped (exit status -9); starting it again in 1 s." in server.log.read_text()
    _answers(server)
