"""Verifying an exported audit record without a database (``hikeshi audit verify-export``)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hikeshi.incidents.audit import checkpoint_files, signing
from hikeshi.incidents.audit.canonical import rows_digest
from hikeshi.incidents.audit.chain import ChainEntry, walk_chain
from hikeshi.incidents.audit.checkpoint_check import RecordStamp, incident_findings
from hikeshi.incidents.audit.checkpoint_files import Checkpoint
from hikeshi.incidents.audit.findings import Finding
from hikeshi.incidents.audit.rows import EVENTS, STATE_SCOPES


class ExportUnreadable(ValueError):
    """The file is not an export hikeshi can read; the message says what is missing."""


@dataclass
class ExportReport:
    """What verifying an export found, and what it covered."""

    incident_id: int
    records: int = 0
    events: int = 0
    key_id: str = ""
    key_from_export: bool = True
    checkpoints: list[Checkpoint] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def fixed_by_checkpoint(self) -> int:
        """Return how many records the newest valid checkpoint fixes (0 without one)."""
        lengths = [c.incidents[self.incident_id].length for c in self.checkpoints]
        return max(lengths, default=0)


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except KeyError:
        raise ExportUnreadable(f"{name} is missing from the export") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExportUnreadable(f"{name}: not readable JSON ({error})") from None


def _jsonl(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    try:
        lines = archive.read(name).decode("utf-8").splitlines()
    except KeyError:
        raise ExportUnreadable(f"{name} is missing from the export") from None
    except UnicodeDecodeError as error:
        raise ExportUnreadable(f"{name}: not UTF-8 ({error})") from None
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ExportUnreadable(f"{name}, line {number}: not readable JSON ({error})") from None
        if not isinstance(row, dict):
            raise ExportUnreadable(f"{name}, line {number}: expected a JSON object")
        yield row


def _entries(archive: zipfile.ZipFile) -> list[ChainEntry]:
    entries = []
    for number, row in enumerate(_jsonl(archive, "records.jsonl"), start=1):
        content, record_id = row.get("content"), row.get("id")
        if not isinstance(content, dict) or not isinstance(record_id, int):
            raise ExportUnreadable(f"records.jsonl, line {number}: needs id and content")
        entries.append(ChainEntry(record_id, str(row.get("record_hash", "")), content))
    return entries


def _event_findings(
    incident_id: int, archive: zipfile.ZipFile, entries: list[ChainEntry], report: ExportReport
) -> Iterator[Finding]:
    covering = {e.record_id: e for e in entries if EVENTS in e.coverage}
    groups: dict[int, list[dict[str, Any]]] = {record_id: [] for record_id in covering}
    for row in _jsonl(archive, "events.jsonl"):
        report.events += 1
        action = row.get("action")
        if not isinstance(action, int) or action not in groups:
            yield Finding(
                incident_id,
                "is covered by no action record in the export",
                subject=f"timeline event {row.get('id')}",
            )
            continue
        groups[action].append(row.get("row") or {})
    for record_id, rows in groups.items():
        entry = covering[record_id]
        if rows_digest(rows) != entry.coverage[EVENTS]:
            yield Finding(
                incident_id,
                f"the {len(rows)} timeline events it created differ from those it vouches for",
                entry.sequence,
                entry.record_id,
            )


def _state_findings(
    incident_id: int, archive: zipfile.ZipFile, entries: list[ChainEntry]
) -> Iterator[Finding]:
    state = _json(archive, "state.json")
    for scope in STATE_SCOPES:
        covering = [e for e in entries if scope in e.coverage]
        rows = state.get(scope) if isinstance(state, dict) else None
        if not isinstance(rows, list):
            raise ExportUnreadable(f"state.json has no list {scope!r}")
        if not covering:
            if rows:
                yield Finding(incident_id, f"no action record vouches for the {scope}")
            continue
        newest = max(covering, key=lambda entry: entry.sequence)
        if rows_digest(rows) != newest.coverage[scope]:
            yield Finding(
                incident_id,
                f"state.json does not hold the {scope} this record vouches for",
                newest.sequence,
                newest.record_id,
            )


def _stamps(entries: list[ChainEntry]) -> list[RecordStamp]:
    stamps = []
    for entry in entries:
        try:
            recorded_at = datetime.fromisoformat(str(entry.content.get("recorded_at")))
        except ValueError:
            raise ExportUnreadable(f"record {entry.record_id}: recorded_at is not a time") from None
        stamps.append(RecordStamp(entry.sequence, entry.record_id, entry.record_hash, recorded_at))
    return sorted(stamps, key=lambda stamp: (stamp.sequence, stamp.record_id))


def _checkpoint_files(archive: zipfile.ZipFile) -> list[tuple[str, bytes]]:
    return [
        (Path(name).name, archive.read(name))
        for name in sorted(archive.namelist())
        if name.startswith("checkpoints/") and not name.endswith("/")
    ]


def verify_export(path: Path, public_key_pem: bytes | None = None) -> ExportReport:
    """Return the report of verifying the export at ``path`` (raise ExportUnreadable)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise ExportUnreadable(f"{path}: not a ZIP file hikeshi can read ({error})") from None
    with archive:
        manifest = _json(archive, "manifest.json")
        incident_id = manifest.get("incident") if isinstance(manifest, dict) else None
        if not isinstance(incident_id, int):
            raise ExportUnreadable("manifest.json names no incident")
        report = ExportReport(incident_id)
        if public_key_pem is None:
            key_name = str(manifest.get("public_key", ""))
            try:
                public_key_pem = archive.read(key_name)
            except KeyError:
                raise ExportUnreadable(
                    f"the public key {key_name!r} is missing; pass --public-key"
                ) from None
        else:
            report.key_from_export = False
        try:
            key = signing.load_public_key(public_key_pem, "public key")
        except signing.KeyProblem as problem:
            raise ExportUnreadable(str(problem)) from None
        report.key_id = signing.key_id(key)
        entries = _entries(archive)
        report.records = len(entries)
        walk = walk_chain(incident_id, entries)
        report.findings.extend(walk.findings)
        chain = manifest.get("chain") or {}
        if walk.intact and chain.get("length") != walk.length:
            report.findings.append(
                Finding(
                    incident_id,
                    f"the manifest says {chain.get('length')} records, the export holds "
                    f"{walk.length}",
                )
            )
        report.findings.extend(_event_findings(incident_id, archive, entries, report))
        report.findings.extend(_state_findings(incident_id, archive, entries))
        checkpoints, bad = checkpoint_files.load(_checkpoint_files(archive), key)
        report.findings.extend(bad)
        report.checkpoints = [c for c in checkpoints if incident_id in c.incidents]
        report.findings.extend(incident_findings(incident_id, _stamps(entries), report.checkpoints))
    return report
