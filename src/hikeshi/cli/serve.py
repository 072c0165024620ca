"""`hikeshi serve`: the web application on waitress, a pure-Python production server, in
one process per core (hikeshi.cli.web_processes), with the job worker and the daily
checkpoint beside them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import report_stale_uploads, setup_django

# Addresses that mean "every interface": the Host header decides, not the bind address.
_WILDCARDS = {"0.0.0.0", "::"}  # noqa: S104 - only compared against, never bound here.


@reports_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Web server processes (default: one per core); each answers --threads "
            "requests at the same time.",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int, typer.Option(min=1, max=256, help="Requests each process handles at the same time.")
    ] = 8,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also run a background worker (restarted if it stops); --no-worker when "
            "workers run separately (`hikeshi worker`).",
        ),
    ] = True,
) -> None:
    """Serve the web application until interrupted (Ctrl+C)."""
    started = time.time()
    setup_django()
    from django.conf import settings

    from hikeshi.cli import web_processes
    from hikeshi.web import server

    report_stale_uploads(started)

    # WhiteNoise warns at start-up when STATIC_ROOT is missing, though files come from the
    # apps' folders (WHITENOISE_USE_FINDERS); an empty folder keeps the console quiet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    if host not in _WILDCARDS and host not in settings.ALLOWED_HOSTS:
        typer.echo(
            f"Note: {host} is not in HIKESHI_ALLOWED_HOSTS "
            f"({','.join(settings.ALLOWED_HOSTS)}); requests to {url} will be refused.",
            err=True,
        )
    try:
        sockets = server.bind(host, port)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CliError(f"cannot listen on {host}:{port}: {reason}") from None
    count = processes or web_processes.default_process_count()
    typer.echo(
        f"hikeshi is serving {url} ({count} process{'es' if count > 1 else ''} x {threads} "
        "threads; press Ctrl+C to stop)"
    )
    from hikeshi.cli.worker_process import worker_beside_server
    from hikeshi.incidents.audit.daily import daily_checkpoints

    try:
        # The job worker and the daily checkpoint run once, here, beside the web processes,
        # and stop with them.
        with worker_beside_server(worker), daily_checkpoints():
            web_processes.run(sockets, processes=count, threads=threads)
    finally:
        for listener in sockets:
            listener.close()
