"""`hikeshi serve`: the web application on waitress, a pure-Python production server."""

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
    threads: Annotated[
        int, typer.Option(min=1, max=256, help="Requests handled at the same time.")
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

    from hikeshi.web import server

    report_stale_uploads(started)

    # WhiteNoise warns at start-up when STATIC_ROOT is missing, though files come from the
    # apps' folders (WHITENOISE_USE_FINDERS); an empty folder keeps the console quiet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from hikeshi.web.wsgi import application

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    if host not in _WILDCARDS and host not in settings.ALLOWED_HOSTS:
        typer.echo(
            f"Note: {host} is not in HIKESHI_ALLOWED_HOSTS "
            f"({','.join(settings.ALLOWED_HOSTS)}); requests to {url} will be refused.",
            err=True,
        )
    try:
        listening = server.create(application, host=host, port=port, threads=threads)
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    typer.echo(f"hikeshi is serving {url} (press Ctrl+C to stop)")
    from hikeshi.cli.worker_process import worker_beside_server
    from hikeshi.incidents.audit.daily import daily_checkpoints

    # The daily checkpoint runs beside the server and stops with it.
    with worker_beside_server(worker), daily_checkpoints():
        listening.run()
