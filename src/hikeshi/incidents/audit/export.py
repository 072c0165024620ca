"""An incident's audit record as a ZIP a client can verify without the database.

Holds the action records with every hashed field, the events, members, checklist and
record items they vouch for, the checkpoints that list the incident and the public key
that signed them, and a README saying how to check it (``hikeshi audit verify-export``).
"""

from __future__ import annotations

import json
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import User
from django.utils import timezone

from hikeshi.incidents.audit import checkpoint_files, signing
from hikeshi.incidents.audit.canonical import instant
from hikeshi.incidents.audit.chain import record_content
from hikeshi.incidents.audit.checkpoints import checkpoint_dir, private_key, take_checkpoint
from hikeshi.incidents.audit.coverage import state_rows
from hikeshi.incidents.audit.rows import EVENT_COLUMNS, STATE_SCOPES, canonical_row
from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent

FORMAT = "hikeshi-audit-export/1"
CHUNK = 2000

README = """\
hikeshi audit record of incident #{incident} / インシデント #{incident} の監査記録
============================================================================

Exported {exported_at} (UTC). Verify it, without access to the hikeshi server:

    hikeshi audit verify-export {name} --public-key KEY.pem

KEY.pem is the checkpoint public key your provider gave you separately (its fingerprint,
SHA-256 of the raw key, is {key_id}). Without --public-key the key in this file is used,
which proves only that the file is consistent, not who signed it.

Files
- records.jsonl  one action record per line: id, record_hash and the exact content hashed.
                 Each record's hash covers the previous one's: changing, removing or
                 reordering any record breaks the chain.
- events.jsonl   timeline events, each with the id of the record that created it; that
                 record's "coverage.events" is the SHA-256 over exactly these rows.
- state.json     the incident's record items, members and checklist as they are now; the
                 newest record covering each carries its digest. "names" (user names) is
                 for reading only and is not covered.
- checkpoints/   signed statements (Ed25519) of every chain's length and head at a moment.
                 A checkpoint fixes the history up to its length: nothing before it can be
                 changed, and nothing recorded before it can be added after it, unnoticed.
- {key_file}  the public key of those signatures.

検証方法: 上のコマンドを実行します。KEY.pem は提供元から別経路で受け取った公開鍵です。
records.jsonl は対応記録（ハッシュの対象となる全項目）、events.jsonl はタイムラインの
イベント、state.json は記録項目・メンバー・チェックリストの現在の状態、checkpoints/ は
チェーンの長さと先頭ハッシュへの署名付きの記録です。
"""


@dataclass(frozen=True)
class ExportSummary:
    """What an export holds."""

    records: int
    events: int
    checkpoints: int


def _records(incident: Incident) -> Iterator[dict[str, Any]]:
    for record in ActionRecord.objects.filter(incident=incident).order_by("pk").iterator(CHUNK):
        yield {
            "id": record.pk,
            "record_hash": record.record_hash,
            "content": record_content(record),
        }


def _events(incident: Incident) -> Iterator[dict[str, Any]]:
    rows = (
        TimelineEvent.objects.filter(incident=incident)
        .order_by("pk")
        .values("pk", "action_id", *EVENT_COLUMNS)
        .iterator(chunk_size=CHUNK)
    )
    for row in rows:
        canonical = canonical_row(row)
        yield {
            "id": canonical.pop("pk"),
            "action": canonical.pop("action_id"),
            "row": canonical,
        }


def _names(state: dict[str, list[dict[str, Any]]], incident: Incident) -> dict[str, str]:
    ids = {row["user_id"] for row in state["members"]}
    ids |= {row["assignee_id"] for row in state["checklist"] if row["assignee_id"] is not None}
    ids |= set(
        ActionRecord.objects.filter(incident=incident, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )
    users = User.objects.filter(pk__in=ids).values_list("pk", "username")
    return {str(pk): username for pk, username in users}


def _checkpoints(incident_id: int) -> list[tuple[str, bytes]]:
    """Return the site's checkpoints that verify and list the incident, oldest first."""
    folder = checkpoint_dir()
    if not folder.is_dir():
        return []
    files = checkpoint_files.files_in([folder])
    good, _ = checkpoint_files.load(files, private_key().public_key())
    wanted = {c.name for c in good if incident_id in c.incidents}
    return [(name, content) for name, content in files if name in wanted]


def _jsonl(archive: zipfile.ZipFile, name: str, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    # A ZipInfo, not a bare name: entries opened for writing by name are dated 1980
    # (writestr dates them in local time, as ZIP has no time zone; so does this).
    entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(entry, "w") as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
            count += 1
    return count


def write_export(incident: Incident, target: IO[bytes], name: str) -> ExportSummary:
    """Return what was written: the incident's audit record as a ZIP into ``target``.

    A checkpoint is taken first, so the export's newest checkpoint fixes its whole chain.
    """
    take_checkpoint(reason=f"export of incident {incident.pk}")
    incident.refresh_from_db()
    key = private_key().public_key()
    key_id = signing.key_id(key)
    key_file = checkpoint_files.public_key_name(key_id)
    checkpoints = _checkpoints(incident.pk)
    state = {scope: state_rows(scope, incident.pk) for scope in STATE_SCOPES}
    exported_at = instant(timezone.now())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        records = _jsonl(archive, "records.jsonl", _records(incident))
        events = _jsonl(archive, "events.jsonl", _events(incident))
        archive.writestr(
            "state.json",
            json.dumps({**state, "names": _names(state, incident)}, ensure_ascii=False, indent=1),
        )
        for checkpoint_name, content in checkpoints:
            archive.writestr(f"checkpoints/{checkpoint_name}", content)
        archive.writestr(key_file, signing.public_key_pem(key))
        manifest = {
            "format": FORMAT,
            "incident": incident.pk,
            "title": incident.title,
            "exported_at": exported_at,
            "chain": {"length": incident.audit_length, "head": incident.audit_head},
            "public_key": key_file,
            "key_id": key_id,
            "checkpoints": [checkpoint_name for checkpoint_name, _ in checkpoints],
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr(
            "README.txt",
            README.format(
                incident=incident.pk,
                exported_at=exported_at,
                name=name,
                key_id=key_id,
                key_file=key_file,
            ),
        )
    return ExportSummary(records, events, len(checkpoints))


def export_to_file(incident: Incident, path: Path) -> ExportSummary:
    """Return what was written to ``path``: the export, complete or not at all.

    Written beside the target and renamed at the end, so a half-written ZIP never sits
    under the name a client will be sent.
    """
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with partial.open("xb") as handle:
            summary = write_export(incident, handle, path.name)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary
