"""The web server processes of `hikeshi serve`: one per core, over the sockets serve opened.

A Python process runs Python code on one core at a time (the interpreter lock), however many
threads waitress gives it. `hikeshi serve` therefore opens the listening sockets itself and
keeps N child processes running (by default one per core), each a waitress server with its
own threads on those inherited sockets (waitress's ``sockets`` adjustment). Every process
waits on the same sockets and the kernel gives each new connection to the one that accepts
it first, so a busy process takes fewer.

Why not gunicorn's gthread workers, the usual choice on Linux: its master forks itself for
every worker and reaps every child with ``waitpid(-1)``, whereas serve's own process runs
threads (the daily checkpoint, the supervision of the job worker) and the job worker child,
which gunicorn would reap as an unknown process. The children here are fresh interpreters
(fork and exec, never a fork of a process with threads), hikeshi.web.server's handling of
HEAD stays, and `make run` needs no other package. Not SO_REUSEPORT either: each process
would bind a socket of its own, and a port that another program holds with that option
would be shared silently instead of refused.

Each child runs in its own session, as the job worker does: Ctrl+C reaches serve only, which
then stops them (SIGTERM ends waitress's loop); a child whose parent is gone (serve killed)
stops within a second. A child that dies is started again, like the job worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

import typer

from hikeshi.cli.errors import describe
from hikeshi.cli.worker_process import WorkerProcess


def default_process_count() -> int:
    """Return the number of cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def web_process_command(fds: Sequence[int], threads: int, parent_pid: int) -> list[str]:
    """Return the command line of one web server process on the inherited sockets ``fds``."""
    command = [sys.executable, "-m", "hikeshi.cli.web_processes"]
    command += ["--threads", str(threads), "--parent-pid", str(parent_pid)]
    for fd in fds:
        command += ["--fd", str(fd)]
    return command


def run(sockets: Sequence[socket.socket], *, processes: int, threads: int) -> None:
    """Keep ``processes`` web server processes running on ``sockets`` until Ctrl+C or SIGTERM.

    Ctrl+C returns, SIGTERM raises SystemExit(0); either way the processes are stopped first.
    """
    fds = [listener.fileno() for listener in sockets]
    command = web_process_command(fds, threads, os.getpid())
    children = [
        WorkerProcess(
            command,
            echo=lambda text: typer.echo(text, err=True),
            name=f"web server process {number}",
            pass_fds=fds,
        )
        for number in range(1, processes + 1)
    ]
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if in_main_thread else None
    for child in children:
        child.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        typer.echo("Stopping…", err=True)
    finally:
        # All at once: each has a few seconds to finish the requests it is answering.
        for child in children:
            child.ask_to_stop()
        for child in children:
            child.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: FrameType | None) -> None:
    # Ends serve's wait, and in a web process waitress's loop (which shuts its threads down).
    raise SystemExit(0)


def _stop_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def serve_here(fds: Sequence[int], threads: int, parent_pid: int | None) -> None:
    """Serve the web application on the inherited sockets ``fds`` until SIGTERM."""
    from hikeshi.cli.runtime import setup_django

    # serve checked the migrations before opening the sockets.
    setup_django(require_migrated=False)
    from hikeshi.web import server
    from hikeshi.web.wsgi import application

    sockets = [socket.socket(fileno=fd) for fd in fds]
    listening = server.create(application, sockets=sockets, threads=threads)
    signal.signal(signal.SIGTERM, _stop)
    if parent_pid is not None:
        threading.Thread(
            target=_stop_when_orphaned, args=(parent_pid,), name="hikeshi-parent", daemon=True
        ).start()
    listening.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one web server process (started by `hikeshi serve`, not by hand)."""
    parser = argparse.ArgumentParser(prog="python -m hikeshi.cli.web_processes")
    parser.add_argument("--fd", type=int, action="append", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args(argv)
    try:
        serve_here(args.fd, args.threads, args.parent_pid)
    except KeyboardInterrupt:
        pass
    except Exception as error:
        known = describe(error)
        if known is None:
            raise
        typer.echo(f"Error: {known[0]}", err=True)
        return known[1]
    return 0


if __name__ == "__main__":
    sys.exit(main())
