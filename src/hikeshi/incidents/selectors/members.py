"""Who takes part in an incident, as its page and its member forms read it."""

from __future__ import annotations

from django.db.models import QuerySet

from hikeshi.incidents.models import Membership
from hikeshi.incidents.selectors.keyset import Key, Ordering, Page, keyset_page

# An incident has a handful of members; the page shows at most this many.
MEMBERS_SHOWN = 200


def _members(incident_id: int) -> QuerySet[Membership]:
    """Return the incident's memberships with their users, leads first, then by user name."""
    return (
        Membership.objects.filter(incident_id=incident_id)
        .select_related("user")
        .order_by("role", "user__username")
    )


def shown_members(incident_id: int) -> list[Membership]:
    """Return the memberships the page lists (a bounded number)."""
    return list(_members(incident_id)[:MEMBERS_SHOWN])


def membership_of(incident_id: int, user_id: int) -> Membership | None:
    """Return the person's membership in the incident with their user, or None."""
    return _members(incident_id).filter(user_id=user_id).first()


# Leads first, then by user name; the id keeps the order total.
MEMBER_ORDER = Ordering((Key("role", str), Key("user__username", str), Key("pk", int)))


def member_page(incident_id: int, *, size: int, cursor: str | None = None) -> Page[Membership]:
    """Return one page of the incident's members, after the position ``cursor`` names."""
    return keyset_page(_members(incident_id), MEMBER_ORDER, size=size, token=cursor)
