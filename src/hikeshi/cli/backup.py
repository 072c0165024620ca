"""`hikeshi backup` and `hikeshi restore`: one archive of the database and the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.filesize import decimal

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import setup_django

# Tables whose row counts a restore names, in the order a responder thinks of them.
_COUNTED = (
    ("incidents_incident", "incidents"),
    ("incidents_actionrecord", "action records"),
    ("incidents_timelineevent", "timeline events"),
    ("incidents_checklistitem", "checklist items"),
    ("incidents_membership", "memberships"),
    ("auth_user", "users"),
)


def _failure(error: Exception) -> CliError:
    """Return the one-line error for a failed backup or restore."""
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return CliError(f"cannot read or write{where}: {error.strerror or error}")
    return CliError(str(error))


@reports_errors
def backup(
    out: Annotated[
        Path,
        typer.Argument(
            metavar="OUT", help="The archive to write: .tar, .tar.gz, .tar.xz or .tar.zst."
        ),
    ],
    include_secrets: Annotated[
        bool,
        typer.Option(
            "--include-secrets",
            help="Also take the Django secret key and the private audit keys (seal, signing).",
        ),
    ] = False,
    postgres_method: Annotated[
        str,
        typer.Option(
            "--postgres-method",
            help="PostgreSQL only: auto (pg_dump when its version matches the server), "
            "pg_dump, or copy (built in, no client programs needed).",
        ),
    ] = "auto",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUT if it exists.")
    ] = False,
) -> None:
    """Write a consistent backup while hikeshi runs: database, data files, manifest."""
    from hikeshi.backup.create import create_backup
    from hikeshi.backup.manifest import BackupError
    from hikeshi.cli.progress import byte_progress

    if postgres_method not in {"auto", "pg_dump", "copy"}:
        raise CliError(f"--postgres-method {postgres_method!r}: choose auto, pg_dump or copy", 2)
    method: Literal["auto", "pg_dump", "copy"] = postgres_method  # type: ignore[assignment]
    setup_django(require_migrated=False)
    try:
        with byte_progress() as progress:
            report = create_backup(
                out,
                include_secrets=include_secrets,
                postgres_method=method,
                overwrite=overwrite,
                progress=progress,
            )
    except (BackupError, OSError) as error:
        raise _failure(error) from None
    manifest = report.manifest
    snapshot = manifest.database
    rows = sum(table.rows for table in snapshot.tables.values())
    data_files = [f for f in manifest.files if f.path.startswith("data/")]
    typer.echo(f"Backup written: {report.archive} ({decimal(report.size)})")
    typer.echo(
        f"Database: {report.database_note}; {len(snapshot.tables)} tables, {rows} rows, "
        f"{len(snapshot.migrations)} migrations applied (hikeshi {manifest.hikeshi_version})"
    )
    typer.echo(
        f"Files: {len(data_files)} from the data folder "
        f"({decimal(sum(f.size for f in data_files))})"
    )
    included = [secret.path for secret in manifest.secrets if secret.included]
    if included:
        typer.echo(
            f"Secrets included: {', '.join(included)}. "
            "Keep this backup as safe as the server itself."
        )
    left_out = [secret for secret in manifest.secrets if not secret.included]
    if left_out:
        typer.echo("Not in the backup (secrets; keep your own copy, or use --include-secrets):")
        for secret in left_out:
            typer.echo(f"  {secret.path}: {secret.what}")
    for skipped in report.skipped:
        typer.echo(f"Skipped: {skipped}")
    if snapshot.pending_migrations:
        typer.echo(
            f"Note: the database lacks {snapshot.pending_migrations} migrations of this "
            "hikeshi; it was backed up as it is."
        )
    typer.echo(f"Manifest SHA-256: {report.manifest_sha256}")


@reports_errors
def restore(
    archive: Annotated[
        Path, typer.Argument(metavar="ARCHIVE", help="A backup written by `hikeshi backup`.")
    ],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            metavar="DIR",
            help="The empty data folder to restore into (default: HIKESHI_DATA_DIR).",
        ),
    ] = None,
) -> None:
    """Restore a backup into an empty data folder (and an empty PostgreSQL database)."""
    from hikeshi import config
    from hikeshi.backup.manifest import BackupError
    from hikeshi.backup.restore import restore_backup
    from hikeshi.backup.selection import without_it
    from hikeshi.cli.progress import byte_progress

    target = (data_dir or config.env_path("HIKESHI_DATA_DIR")).expanduser().resolve()
    try:
        with byte_progress() as progress:
            report = restore_backup(archive.expanduser().resolve(), target, progress)
    except (BackupError, OSError) as error:
        raise _failure(error) from None
    manifest = report.manifest
    tables = manifest.database.tables
    counts = ", ".join(f"{label} {tables[name].rows}" for name, label in _COUNTED if name in tables)
    made = manifest.created_at.strftime("%Y-%m-%d %H:%M UTC")
    typer.echo(
        f"Restored {archive} (made {made} by hikeshi {manifest.hikeshi_version}); "
        "every file matched its SHA-256 in the manifest."
    )
    typer.echo(
        f"Database: {report.database}: {counts} "
        f"({len(tables)} tables, every row checked against the backup)"
    )
    typer.echo(f"Files: {report.files} ({decimal(report.file_bytes)}) into {report.data_dir}")
    for secret in manifest.secrets:
        if secret.included:
            typer.echo(f"Secret restored: {secret.path}, {secret.what}")
        else:
            typer.echo(
                f"Not in the backup: {secret.path}, {secret.what}; copy it from your own "
                f"key store to {report.data_dir / secret.path} before starting hikeshi "
                f"({without_it(secret.path)})"
            )
    prefix = "" if data_dir is None else f"HIKESHI_DATA_DIR={report.data_dir} "
    typer.echo(
        f"Next: {prefix}hikeshi init (migrates if needed), then {prefix}hikeshi audit verify"
    )
