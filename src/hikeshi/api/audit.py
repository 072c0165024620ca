"""Verifying every incident's hash chain of action records and the site log, for site admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from hikeshi.api.auth import caller
from hikeshi.api.schemas import Message
from hikeshi.incidents import access
from hikeshi.incidents.audit.verify import verify_all
from hikeshi.sitelog.audit import site_log_head, verify_site_log


class ChainStatus(Schema):
    """One incident's record: intact, or its first problem and the list of all of them.

    Problems cover the action records' chain and seals and what the records vouch for:
    the incident's record items, members, checklist and timeline events.
    """

    incident_id: int
    intact: bool
    sequence: int | None = None
    record_id: int | None = None
    problem: str = ""
    problems: list[str] = Field(default_factory=list)


class SiteLogStatus(Schema):
    """The site log's hash chain of account events: its length, head and first break."""

    intact: bool
    length: int
    head: str
    problem: str = ""


class AuditReport(Schema):
    """The hash chains of every incident and of the site log."""

    intact: bool
    incidents: list[ChainStatus]
    site_log: SiteLogStatus


router = Router(tags=["audit"])


@router.get("/audit/verify", response={200: AuditReport, 401: Message, 403: Message})
def verify_chains(request: HttpRequest) -> AuditReport:
    """Check every incident's action records, and the site log, against their hash chains.

    A chain breaks where a record was changed, deleted or reordered; each broken incident
    names the first record that does not hold, and so does the site log.
    """
    if not access.is_site_admin(caller(request)):
        raise PermissionDenied("only site administrators can verify every incident's chain")
    chains = [
        ChainStatus(
            incident_id=incident.pk,
            intact=not found,
            sequence=found[0].sequence if found else None,
            record_id=found[0].record_id if found else None,
            problem=found[0].describe() if found else "",
            problems=[finding.describe() for finding in found],
        )
        for incident, found in verify_all()
    ]
    problem = verify_site_log()
    length, head = site_log_head()
    site_log = SiteLogStatus(
        intact=problem is None, length=length, head=head, problem=problem or ""
    )
    return AuditReport(
        intact=site_log.intact and all(chain.intact for chain in chains),
        incidents=chains,
        site_log=site_log,
    )
