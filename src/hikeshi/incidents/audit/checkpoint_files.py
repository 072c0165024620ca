"""Checkpoint files: signed statements of every chain's length and head at one moment.

A checkpoint is JSON: ``{"statement": {...}, "signature": "...", "algorithm": "Ed25519"}``.
The signature covers the statement's canonical JSON, so the file may be re-indented but
not changed. No Django here: an export's checkpoints verify without a database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hikeshi.incidents.audit import signing
from hikeshi.incidents.audit.canonical import canonical_json
from hikeshi.incidents.audit.findings import Finding

FORMAT = "hikeshi-checkpoint/1"
NAME_PATTERN = re.compile(r"^checkpoint-(\d{8}T\d{12})Z(?:-\d+)?\.json$")
NAME_TIME = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True)
class ChainHead:
    """A chain's length and the hash of its newest entry ("" when empty)."""

    length: int
    head: str


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint whose signature verified."""

    name: str
    taken_at: datetime
    key_id: str
    reason: str
    incidents: dict[int, ChainHead]
    site_log: ChainHead

    def label(self) -> str:
        """Return how findings name the checkpoint: its file and when it was taken."""
        return f"{self.name} (taken {self.taken_at.isoformat(timespec='seconds')})"


class CheckpointProblem(ValueError):
    """A checkpoint that cannot be trusted: unreadable, malformed or badly signed."""


def file_name(taken_at: datetime) -> str:
    """Return the file name of a checkpoint taken at ``taken_at`` (UTC, sorts by time)."""
    return f"checkpoint-{taken_at.astimezone(UTC).strftime(NAME_TIME)}Z.json"


def time_in_name(name: str) -> datetime | None:
    """Return the time a checkpoint file's name carries, or None for other files."""
    match = NAME_PATTERN.match(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), NAME_TIME).replace(tzinfo=UTC)


def public_key_name(key_id: str) -> str:
    """Return the file name the public key is written under beside checkpoints."""
    return f"checkpoint-key-{key_id[:16]}.pem"


def statement(
    taken_at: datetime,
    key: Ed25519PublicKey,
    incidents: Mapping[int, ChainHead],
    site_log: ChainHead,
    reason: str,
) -> dict[str, Any]:
    """Return the statement a checkpoint signs."""
    return {
        "format": FORMAT,
        "taken_at": taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "key_id": signing.key_id(key),
        "reason": reason,
        "incidents": [
            {"id": incident_id, "length": head.length, "head": head.head}
            for incident_id, head in sorted(incidents.items())
        ],
        "site_log": {"length": site_log.length, "head": site_log.head},
    }


def render(signed: Mapping[str, Any], key: Ed25519PrivateKey) -> bytes:
    """Return the checkpoint file's bytes: the statement and its signature."""
    document = {
        "statement": signed,
        "algorithm": signing.ALGORITHM,
        "signature": signing.sign(key, canonical_json(signed).encode("utf-8")),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _head(value: Any, where: str) -> ChainHead:
    if not isinstance(value, dict):
        raise CheckpointProblem(f"{where} is not an object")
    length, head = value.get("length"), value.get("head")
    if not isinstance(length, int) or length < 0 or not isinstance(head, str):
        raise CheckpointProblem(f"{where} needs a length (whole number) and a head (text)")
    return ChainHead(length, head)


def _parse(name: str, signed: dict[str, Any], key_id: str) -> Checkpoint:
    if signed.get("format") != FORMAT:
        raise CheckpointProblem(f"format is {signed.get('format')!r}, expected {FORMAT!r}")
    try:
        taken_at = datetime.fromisoformat(str(signed["taken_at"]))
    except (KeyError, ValueError):
        raise CheckpointProblem("taken_at is missing or not an ISO 8601 time") from None
    incidents: dict[int, ChainHead] = {}
    for index, entry in enumerate(signed.get("incidents") or []):
        head = _head(entry, f"incidents[{index}]")
        incident_id = entry.get("id")
        if not isinstance(incident_id, int):
            raise CheckpointProblem(f"incidents[{index}] has no id")
        incidents[incident_id] = head
    return Checkpoint(
        name=name,
        taken_at=taken_at,
        key_id=key_id,
        reason=str(signed.get("reason", "")),
        incidents=incidents,
        site_log=_head(signed.get("site_log"), "site_log"),
    )


def read(name: str, content: bytes, key: Ed25519PublicKey) -> Checkpoint:
    """Return the checkpoint in ``content`` once its signature verifies with ``key``.

    Raises CheckpointProblem saying what is wrong: unreadable, signed by another key, or a
    signature that does not match (the file was changed after signing).
    """
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointProblem(f"not a checkpoint (unreadable JSON: {error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("statement"), dict):
        raise CheckpointProblem("not a checkpoint (no signed statement)")
    signed: dict[str, Any] = document["statement"]
    expected = signing.key_id(key)
    message = canonical_json(signed).encode("utf-8")
    if not signing.signature_valid(key, message, str(document.get("signature", ""))):
        claimed = str(signed.get("key_id", ""))
        if claimed and claimed != expected:
            raise CheckpointProblem(
                f"signed by another key (key id {claimed[:16]}…, trusted key {expected[:16]}…)"
            )
        raise CheckpointProblem("the signature does not verify: the file was changed after signing")
    return _parse(name, signed, expected)


def load(
    files: Iterable[tuple[str, bytes]], key: Ed25519PublicKey
) -> tuple[list[Checkpoint], list[Finding]]:
    """Return the checkpoints that verify (oldest first) and a finding for each that does not."""
    good: list[Checkpoint] = []
    bad: list[Finding] = []
    for name, content in files:
        try:
            good.append(read(name, content, key))
        except CheckpointProblem as problem:
            bad.append(Finding(None, str(problem), subject=name))
    good.sort(key=lambda checkpoint: checkpoint.taken_at)
    return good, bad


def files_in(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    """Return (name, bytes) of the given checkpoint files; a folder means every one in it."""
    found: list[tuple[str, bytes]] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                (child.name, child.read_bytes())
                for child in sorted(path.iterdir())
                if time_in_name(child.name) is not None
            )
        else:
            found.append((path.name, path.read_bytes()))
    return found
