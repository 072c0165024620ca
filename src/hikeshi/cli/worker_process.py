"""The worker `hikeshi serve` runs beside the web server: a child process, started again if
it dies, stopped when serve stops.

The child runs in its own session, so Ctrl+C in the terminal reaches serve only, and serve
stops the worker (SIGTERM: the running job stops after its current step and goes back to the
queue). If serve itself is killed, the worker notices within a second (``--parent-pid``)
and stops the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import typer

# Seconds before starting a worker that died again; doubled after each quick death.
FIRST_DELAY = 1.0
LONGEST_DELAY = 60.0
# A worker that ran this long before dying was healthy: the next start is not delayed long.
HEALTHY_AFTER = 60.0
# Seconds a stopping worker gets to finish its current step before it is killed.
STOP_TIMEOUT = 20.0


def worker_command(parent_pid: int) -> list[str]:
    """Return the command line of a worker that stops when ``parent_pid`` is gone."""
    return [sys.executable, "-m", "hikeshi.cli", "worker", "--parent-pid", str(parent_pid)]


class WorkerProcess:
    """A child process kept running: started again (with a growing delay) whenever it dies.

    ``name`` is how messages call it; ``pass_fds`` are file descriptors the child inherits
    (the listening sockets of a web server process).
    """

    def __init__(
        self,
        command: list[str],
        *,
        echo: Callable[[str], None],
        name: str = "background worker",
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.command = command
        self.echo = echo
        self.name = name
        self.pass_fds = tuple(pass_fds)
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._keep_running, name="hikeshi-worker-process")
        self._thread.daemon = True

    @property
    def pid(self) -> int | None:
        """Return the running child's process id, or None between two starts."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child, and keep it running until stop()."""
        self._thread.start()

    def ask_to_stop(self) -> subprocess.Popen[bytes] | None:
        """Stop restarting and send the running child SIGTERM; return it (None if none runs)."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            return process
        return None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the child (SIGTERM, then SIGKILL after ``timeout`` seconds) and stop restarting."""
        process = self.ask_to_stop()
        if process is not None:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout)

    def _keep_running(self) -> None:
        delay = FIRST_DELAY
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self._process = subprocess.Popen(  # noqa: S603 - our own command
                        self.command, start_new_session=True, pass_fds=self.pass_fds
                    )
                except OSError as error:
                    self.echo(f"Could not start the {self.name}: {error}")
                    self._process = None
                else:
                    self.starts += 1
            started = time.monotonic()
            code = self._process.wait() if self._process is not None else None
            if self._stopping.is_set():
                return
            delay = FIRST_DELAY if time.monotonic() - started >= HEALTHY_AFTER else delay
            self.echo(
                f"The {self.name} stopped (exit status {code}); starting it again in {delay:.0f} s."
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, LONGEST_DELAY)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # serve's wait for the web processes ends on SystemExit; the worker is then stopped in order.
    raise SystemExit(0)


@contextmanager
def worker_beside_server(enabled: bool) -> Iterator[WorkerProcess | None]:
    """Run a worker process while the block runs (SIGTERM ends the block in order)."""
    if not enabled:
        yield None
        return
    process = WorkerProcess(
        worker_command(os.getpid()), echo=lambda text: typer.echo(text, err=True)
    )
    process.start()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if in_main_thread else None
    try:
        yield process
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
        typer.echo("Stopping the background worker…", err=True)
        process.stop()
