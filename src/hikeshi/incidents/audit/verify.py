"""Verifying the database: each incident's chain, seals, anchor and coverage; the site log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hikeshi.incidents.audit import seal
from hikeshi.incidents.audit.canonical import GENESIS
from hikeshi.incidents.audit.chain import ChainEntry, record_content, walk_chain
from hikeshi.incidents.audit.coverage_check import coverage_findings
from hikeshi.incidents.audit.findings import Finding
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.selectors.keyset import Key, Ordering, keyset_page

# Records read per database round trip while verifying.
CHUNK = 2000


def _seal_findings(incident_id: int, records: list[ActionRecord]) -> Iterator[Finding]:
    """Yield the first record whose seal fails (later ones usually fail with it)."""
    bad = [r for r in records if not seal.matches(seal.record_seal(r.record_hash), r.seal)]
    if bad:
        first = bad[0]
        more = f"; {len(bad) - 1} later records fail theirs too" if len(bad) > 1 else ""
        yield Finding(
            incident_id,
            "its seal does not match: the record was written or re-chained without the seal "
            f"key (forged), or the seal key is not the one it was sealed with{more}",
            first.sequence,
            first.pk,
        )


def _anchor_findings(incident: Incident, length: int, head: str) -> Iterator[Finding]:
    if length != incident.audit_length:
        yield Finding(
            incident.pk,
            f"the chain has {length} records but the incident's head says"
            f" {incident.audit_length} (records at the end were deleted or replaced)",
        )
    elif head != (incident.audit_head or GENESIS):
        yield Finding(
            incident.pk,
            "the newest record is not the one the incident's head names (it was replaced)",
            length,
        )


def verify_incident(incident: Incident) -> list[Finding]:
    """Return everything about the incident's record that does not hold (empty when intact)."""
    records = list(ActionRecord.objects.filter(incident=incident).order_by("pk").iterator(CHUNK))
    entries = [ChainEntry(r.pk, r.record_hash, record_content(r)) for r in records]
    walk = walk_chain(incident.pk, entries)
    findings = list(walk.findings)
    if not records:
        findings.append(
            Finding(incident.pk, "the incident has no action records: its history was deleted")
        )
    elif walk.intact:
        findings.extend(_anchor_findings(incident, walk.length, walk.head))
    if seal.key_available():
        findings.extend(_seal_findings(incident.pk, records))
        expected = seal.anchor_seal(incident.pk, incident.audit_length, incident.audit_head)
        if not seal.matches(expected, incident.audit_seal):
            findings.append(
                Finding(
                    incident.pk,
                    "the chain anchor's seal does not match: its length or head was set "
                    "outside hikeshi",
                )
            )
    findings.extend(coverage_findings(incident.pk, walk.entries))
    return findings


# Incidents in the order verification walks them, as a keyset for a page at a time.
BY_ID = Ordering((Key("pk", int),))


@dataclass(frozen=True)
class VerifiedPage:
    """The incidents of one page with what does not hold in each, and the next page's token."""

    incidents: list[tuple[Incident, list[Finding]]]
    next_token: str | None


def verify_page(size: int, cursor: str | None = None) -> VerifiedPage:
    """Verify the ``size`` incidents that follow ``cursor`` (by id); InvalidInput on
    ``cursor`` for a token no page gave."""
    page = keyset_page(Incident.objects.all(), BY_ID, size=size, token=cursor)
    return VerifiedPage(
        [(incident, verify_incident(incident)) for incident in page.rows], page.next_token
    )


def verify_all() -> Iterator[tuple[Incident, list[Finding]]]:
    """Yield every incident with what does not hold in its record (empty when intact)."""
    for incident in Incident.objects.order_by("pk").iterator():
        yield incident, verify_incident(incident)


def seal_key_findings() -> list[Finding]:
    """Return a finding when seals cannot be checked because the seal key is missing."""
    if seal.key_available() or not ActionRecord.objects.exists():
        return []
    return [
        Finding(
            None,
            f"the seal key {seal.key_path()} is missing, so no seal was checked: restore it "
            f"from your key backup (or set {seal.SETTING}) and verify again",
        )
    ]


def site_log_findings() -> list[Finding]:
    """Return the site log's first break, if any, as a finding."""
    from hikeshi.sitelog.audit import verify_site_log

    problem = verify_site_log()
    return [] if problem is None else [Finding(None, problem)]
