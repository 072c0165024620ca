"""`hikeshi audit …`: verify the tamper-evident record, take checkpoints, export an incident's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import AsUser, acting_user, find_incident, setup_django

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from hikeshi.incidents.audit.findings import Finding

app = typer.Typer(
    help="Check the tamper-evident action records and site log; checkpoints and exports.",
    no_args_is_help=True,
)

CheckpointPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint",
        metavar="FILE",
        exists=True,
        help="A checkpoint file, or a folder of them; repeat for more. Also reports what "
        "changed after each checkpoint.",
    ),
]
PublicKeyPath = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        metavar="PEM",
        exists=True,
        dir_okay=False,
        help="The checkpoint public key to trust (default: this site's signing key).",
    ),
]


def _trusted_key(path: Path | None) -> Ed25519PublicKey:
    """Return the public key to check checkpoint signatures with."""
    from hikeshi.incidents.audit import signing

    if path is None:
        from hikeshi.incidents.audit.checkpoints import key_path, public_key

        if not key_path().exists():
            raise CliError(
                f"this site has no checkpoint key yet ({key_path()}); pass --public-key PEM"
            )
        return public_key()
    try:
        return signing.load_public_key(path.read_bytes(), str(path))
    except signing.KeyProblem as problem:
        raise CliError(f"--public-key: {problem}") from None


def _checkpoint_findings(paths: list[Path], key_path: Path | None) -> tuple[int, list[Finding]]:
    """Return how many checkpoints verified and what contradicts them (bad files included)."""
    from hikeshi.incidents.audit import checkpoint_files
    from hikeshi.incidents.audit.checkpoints import compare_database

    files = checkpoint_files.files_in(paths)
    if not files:
        raise CliError(f"--checkpoint: no checkpoint files in {', '.join(map(str, paths))}")
    good, bad = checkpoint_files.load(files, _trusted_key(key_path))
    return len(good), [*bad, *compare_database(good)]


@app.command("verify")
@reports_errors
def verify(checkpoint: CheckpointPaths = None, public_key: PublicKeyPath = None) -> None:
    """Verify every chain, seal and what the records vouch for; exit 1 naming each problem.

    Checks each incident's action records (hash links, seals, the incident's anchor), the
    timeline events, members, checklist and record items they vouch for, and the site log.
    With --checkpoint, also what changed after each checkpoint: rewritten, removed,
    inserted or back-dated records and deleted incidents.
    """
    setup_django()
    from hikeshi.incidents.audit.verify import seal_key_findings, verify_all
    from hikeshi.sitelog.audit import site_log_head, verify_site_log

    incidents = records = 0
    broken: list[Finding] = []
    broken_incidents = 0
    for incident, findings in verify_all():
        incidents += 1
        records += incident.audit_length
        broken.extend(findings)
        broken_incidents += bool(findings)
    other = seal_key_findings()
    checked = 0
    if checkpoint:
        checked, found = _checkpoint_findings(checkpoint, public_key)
        other.extend(found)
    site_log_problem = verify_site_log()
    if site_log_problem is not None:
        typer.echo(f"Error: broken chain at {site_log_problem}", err=True)
        typer.echo(
            "The site log of account events is broken; compare with a backup before trusting it.",
            err=True,
        )
    for finding in broken:
        typer.echo(f"Error: broken chain at {finding.describe()}", err=True)
    for finding in other:
        typer.echo(f"Error: {finding.describe()}", err=True)
    if broken:
        typer.echo(
            f"{broken_incidents} of {incidents} incidents have a broken action-record chain; "
            "compare with a backup and the checkpoints before trusting these records.",
            err=True,
        )
    if other and checkpoint:
        typer.echo(
            f"Problems against the checkpoints: {len(other)}; the database or the checkpoint "
            "files were changed after the checkpoints were written.",
            err=True,
        )
    if broken or other or site_log_problem is not None:
        raise typer.Exit(1)
    typer.echo(f"Verified {incidents} incidents and {records} action records: all intact.")
    typer.echo(f"Verified the site log: {site_log_head()[0]} entries, intact.")
    if checkpoint:
        typer.echo(f"Checked against {checked} checkpoints: nothing was changed after them.")


@app.command("checkpoint")
@reports_errors
def checkpoint(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Write it here (default: HIKESHI_CHECKPOINT_DIR).",
        ),
    ] = None,
) -> None:
    """Write a signed checkpoint of every incident's chain head and the site log's."""
    setup_django()
    from hikeshi.incidents.audit import checkpoint_files, signing
    from hikeshi.incidents.audit.checkpoints import private_key, take_checkpoint

    try:
        path = take_checkpoint(out, reason="hikeshi audit checkpoint")
    except OSError as error:
        raise CliError(f"cannot write the checkpoint: {error.strerror or error}") from None
    key = private_key().public_key()
    key_id = signing.key_id(key)
    key_file = path.parent / checkpoint_files.public_key_name(key_id)
    typer.echo(f"Wrote checkpoint {path}")
    typer.echo(f"Public key: {key_file} (fingerprint {key_id})")


@app.command("export")
@reports_errors
def export(
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")],
    output: Annotated[
        Path,
        typer.Argument(metavar="OUT.zip", dir_okay=False, help="The ZIP file to write."),
    ],
    as_user: AsUser = None,
) -> None:
    """Write an incident's audit record as a ZIP that verifies without the database."""
    setup_django()
    from hikeshi.incidents.access import may_lead
    from hikeshi.incidents.audit.export import export_to_file

    user = acting_user(as_user)
    incident = find_incident(user, incident_id)
    if not may_lead(user, incident):
        raise CliError(
            f"{user.get_username()} may not export incident #{incident_id}'s audit record: "
            "only its leads and site administrators can"
        )
    folder = output.resolve().parent
    if not folder.is_dir():
        raise CliError(f"{output}: the folder {folder} does not exist")
    try:
        summary = export_to_file(incident, output)
    except OSError as error:
        raise CliError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(
        f"Wrote the audit record of incident #{incident.pk} to {output}: {summary.records} "
        f"action records, {summary.events} timeline events, {summary.checkpoints} checkpoints."
    )


@app.command("verify-export")
@reports_errors
def verify_export(
    archive: Annotated[
        Path,
        typer.Argument(
            metavar="EXPORT.zip", exists=True, dir_okay=False, help="What `audit export` wrote."
        ),
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            metavar="PEM",
            exists=True,
            dir_okay=False,
            help="The checkpoint public key you received separately (default: the one in "
            "the export, which proves consistency but not who signed).",
        ),
    ] = None,
) -> None:
    """Verify an exported audit record without a database; exit 1 naming each problem."""
    from hikeshi.incidents.audit.offline import ExportUnreadable
    from hikeshi.incidents.audit.offline import verify_export as verify_file

    try:
        report = verify_file(archive, public_key.read_bytes() if public_key else None)
    except ExportUnreadable as problem:
        raise CliError(f"{archive}: {problem}") from None
    for finding in report.findings:
        typer.echo(f"Error: {finding.describe()}", err=True)
    if report.findings:
        typer.echo(
            f"Problems in the export of incident #{report.incident_id}: "
            f"{len(report.findings)}; do not rely on it.",
            err=True,
        )
        raise typer.Exit(1)
    fixed = report.fixed_by_checkpoint
    typer.echo(
        f"Verified the export of incident #{report.incident_id}: {report.records} action "
        f"records, {report.events} timeline events, and the members, checklist and record "
        "items they vouch for."
    )
    typer.echo(
        f"{len(report.checkpoints)} checkpoints signed by key {report.key_id[:16]}… fix the "
        f"first {fixed} records; {report.records - fixed} later records are linked by hash only."
    )
    if report.key_from_export:
        typer.echo(
            f"Note: the public key came from the export itself (fingerprint {report.key_id}); "
            "compare it with the one the site gave you, or pass --public-key.",
            err=True,
        )
