"""Taking checkpoints of the database's chains, and comparing the database with checkpoints.

The signing key lives outside the database: HIKESHI_CHECKPOINT_KEY_FILE, or by default
HIKESHI_DATA_DIR/keys/checkpoint-ed25519.pem (generated on first use, mode 600).
Checkpoints go to HIKESHI_CHECKPOINT_DIR (default HIKESHI_DATA_DIR/checkpoints), with the
public key beside them, for the operator to ship to another machine or write-once storage.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hikeshi.config import ConfigError
from hikeshi.incidents.audit import checkpoint_files, signing
from hikeshi.incidents.audit.checkpoint_check import (
    RecordStamp,
    incident_findings,
    site_log_findings,
)
from hikeshi.incidents.audit.checkpoint_files import ChainHead, Checkpoint
from hikeshi.incidents.audit.findings import Finding
from hikeshi.incidents.audit.keyfiles import create_private_file, read_key_file
from hikeshi.incidents.models import ActionRecord, Incident

KEY_SETTING = "HIKESHI_CHECKPOINT_KEY_FILE"
DEFAULT_KEY_NAME = "checkpoint-ed25519.pem"
logger = logging.getLogger(__name__)


def checkpoint_dir() -> Path:
    """Return the folder automatic checkpoints are written to."""
    folder: Path = settings.AUDIT_CHECKPOINT_DIR
    return folder


def key_path() -> Path:
    """Return the signing key's file: the configured one, or the default in the keys folder."""
    configured: Path | None = settings.AUDIT_CHECKPOINT_KEY_FILE
    return configured if configured is not None else settings.AUDIT_KEYS_DIR / DEFAULT_KEY_NAME


def private_key(*, create: bool = True) -> Ed25519PrivateKey:
    """Return the signing key; the default one is generated on first use (with ``create``)."""
    path = key_path()
    if create and settings.AUDIT_CHECKPOINT_KEY_FILE is None and not path.exists():
        create_private_file(path, signing.new_private_key_pem())
    try:
        return signing.load_private_key(read_key_file(path, KEY_SETTING), str(path))
    except signing.KeyProblem as problem:
        raise ConfigError(f"{KEY_SETTING}: {problem}") from None


def public_key() -> Ed25519PublicKey:
    """Return the public half of this site's signing key (which must already exist)."""
    return private_key(create=False).public_key()


def _current_heads() -> tuple[dict[int, ChainHead], ChainHead, datetime]:
    """Return every chain's head, the site log's and the moment they were read together."""
    from hikeshi.sitelog.audit import site_log_head

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Waits for every transaction that locked or changed an incident row (each
            # append does) and holds new ones off while the heads are read: a record
            # recorded before ``taken_at`` is then always in the checkpoint. SQLite needs
            # nothing: its IMMEDIATE transactions already run one writer at a time.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Incident._meta.db_table} IN EXCLUSIVE MODE")
        heads = {
            pk: ChainHead(length, head)
            for pk, length, head in Incident.objects.order_by("pk").values_list(
                "pk", "audit_length", "audit_head"
            )
        }
        site_length, site_head = site_log_head()
        taken_at = timezone.now()
    return heads, ChainHead(site_length, site_head), taken_at


def _write_new(path: Path, content: bytes) -> Path:
    """Return the path written: ``path``, or a numbered sibling if that name is taken."""
    candidate, number = path, 1
    while True:
        try:
            with candidate.open("xb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            return candidate
        except FileExistsError:
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")


def write_public_key(folder: Path, key: Ed25519PublicKey) -> Path:
    """Return the public key's file in ``folder``, written if it is not there yet."""
    path = folder / checkpoint_files.public_key_name(signing.key_id(key))
    if not path.exists():
        path.write_bytes(signing.public_key_pem(key))
    return path


def take_checkpoint(folder: Path | None = None, reason: str = "manual") -> Path:
    """Return the file of a new checkpoint of every chain, written to ``folder``."""
    folder = folder or checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = private_key()
    heads, site_log, taken_at = _current_heads()
    signed = checkpoint_files.statement(taken_at, key.public_key(), heads, site_log, reason)
    path = _write_new(
        folder / checkpoint_files.file_name(taken_at), checkpoint_files.render(signed, key)
    )
    write_public_key(folder, key.public_key())
    return path


def take_quietly(reason: str) -> Path | None:
    """Return a new checkpoint's file, or None after logging why it could not be taken."""
    try:
        return take_checkpoint(reason=reason)
    except Exception:
        # Runs after a change was committed (or in the daily thread): the change stands,
        # and a missing checkpoint must not turn it into an error page. It is logged.
        logger.exception("hikeshi could not write a checkpoint (%s)", reason)
        return None


def checkpoint_after_commit(reason: str) -> None:
    """Take a checkpoint once the current transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: take_quietly(reason))


def newest_checkpoint_time(folder: Path | None = None) -> datetime | None:
    """Return when the newest checkpoint in the folder was taken (by its name), or None."""
    folder = folder or checkpoint_dir()
    if not folder.is_dir():
        return None
    named = (checkpoint_files.time_in_name(child.name) for child in folder.iterdir())
    times = [time for time in named if time is not None]
    return max(times, default=None)


def _stamps(incident_id: int) -> list[RecordStamp]:
    rows = (
        ActionRecord.objects.filter(incident_id=incident_id)
        .order_by("sequence", "pk")
        .values_list("sequence", "pk", "record_hash", "recorded_at")
    )
    return [RecordStamp(*row) for row in rows.iterator(chunk_size=2000)]


def compare_database(checkpoints: Sequence[Checkpoint]) -> list[Finding]:
    """Return what in the database contradicts the (verified) checkpoints."""
    from hikeshi.sitelog.audit import site_log_hash_at, site_log_head

    findings: list[Finding] = []
    present = set(Incident.objects.values_list("pk", flat=True))
    listed = {incident_id for c in checkpoints for incident_id in c.incidents}
    for incident_id in sorted(present | listed):
        stamps = _stamps(incident_id) if incident_id in present else None
        findings.extend(incident_findings(incident_id, stamps, checkpoints))
    findings.extend(site_log_findings(*site_log_head(), site_log_hash_at, checkpoints))
    return findings
