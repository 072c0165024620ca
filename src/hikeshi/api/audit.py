"""Verifying every incident's hash chain of action records and the site log, for site admins."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, P, QueryEx, Router, Schema

from hikeshi.api.auth import caller
from hikeshi.api.paging import (
    CURSOR_HELP,
    NEXT_CURSOR_HELP,
    NEXT_HELP,
    cursor_checked,
    limit_help,
    next_link,
)
from hikeshi.api.schemas import InvalidFields, Message
from hikeshi.incidents import access
from hikeshi.incidents.audit.verify import verify_page
from hikeshi.incidents.refusals import NotPermitted
from hikeshi.incidents.selectors.keyset import TOKEN_MAX
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
    """One page of incidents' records, and the site log's chain."""

    intact: bool = Field(description="the incidents of this page and the site log all hold")
    incidents: list[ChainStatus]
    site_log: SiteLogStatus
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)


# Verifying an incident re-reads its whole record: a page holds fewer than other lists.
VERIFY_LIMIT_MAX = 100
VERIFY_LIMIT_DEFAULT = 20


router = Router(tags=["audit"])


@router.get(
    "/audit/verify",
    response={200: AuditReport, 401: Message, 403: Message, 422: InvalidFields},
)
def verify_chains(
    request: HttpRequest,
    limit: QueryEx[
        int,
        P(ge=1, le=VERIFY_LIMIT_MAX, description=limit_help(VERIFY_LIMIT_MAX, "incidents")),
    ] = VERIFY_LIMIT_DEFAULT,
    cursor: QueryEx[str | None, P(description=CURSOR_HELP, max_length=TOKEN_MAX)] = None,
) -> AuditReport:
    """Check a page of incidents' action records (by id), and the site log, against their
    hash chains; follow ``next`` to check them all.

    A chain breaks where a record was changed, deleted or reordered; each broken incident
    names the first record that does not hold, and so does the site log.
    """
    if not access.is_site_admin(caller(request)):
        raise NotPermitted(
            gettext_noop("only site administrators can verify every incident's chain"),
            subject="site",
        )
    with cursor_checked():
        page = verify_page(limit, cursor)
    chains = [
        ChainStatus(
            incident_id=incident.pk,
            intact=not found,
            sequence=found[0].sequence if found else None,
            record_id=found[0].record_id if found else None,
            problem=found[0].describe() if found else "",
            problems=[finding.describe() for finding in found],
        )
        for incident, found in page.incidents
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
        next_cursor=page.next_token,
        next=next_link(request, page.next_token),
    )
