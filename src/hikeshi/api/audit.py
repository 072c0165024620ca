"""Verifying every incident's hash chain of action records, for site admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from hikeshi.api.auth import caller
from hikeshi.api.schemas import Message
from hikeshi.incidents import access, audit


class ChainStatus(Schema):
    """One incident's hash chain: intact, or where it first breaks."""

    incident_id: int
    intact: bool
    sequence: int | None = None
    record_id: int | None = None
    problem: str = ""


class AuditReport(Schema):
    """The hash chains of every incident."""

    intact: bool
    incidents: list[ChainStatus]


router = Router(tags=["audit"])


@router.get("/audit/verify", response={200: AuditReport, 401: Message, 403: Message})
def verify_chains(request: HttpRequest) -> AuditReport:
    """Check every incident's action records against their hash chain.

    A chain breaks where a record was changed, deleted or reordered; each broken incident
    names the first record that does not hold.
    """
    if not access.is_site_admin(caller(request)):
        raise PermissionDenied("only site administrators can verify every incident's chain")
    chains = [
        ChainStatus(
            incident_id=incident.pk,
            intact=found is None,
            sequence=None if found is None else found.sequence,
            record_id=None if found is None else found.record_id,
            problem="" if found is None else found.describe(),
        )
        for incident, found in audit.verify_all()
    ]
    return AuditReport(intact=all(chain.intact for chain in chains), incidents=chains)
