"""Which incidents a person sees, the incident list with its filters and order, roles.

Every interface lists and finds incidents through here, so that who sees what is decided
in one place (hikeshi.incidents.access builds the refusals on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from hikeshi.incidents.models import Incident, Membership
from hikeshi.incidents.selectors.keyset import Key, Ordering, Page, keyset_page
from hikeshi.incidents.vocabulary import Role

# Most urgent first: priority, then the newest detection; the id keeps the order total.
LIST_ORDER = Ordering(
    (
        Key("priority", int),
        Key("detected_at", datetime, descending=True),
        Key("pk", int, descending=True),
    )
)


def is_site_admin(user: User | AnonymousUser) -> bool:
    """Return whether the user administers the whole site (sees every incident)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def visible_incidents(user: User | AnonymousUser) -> QuerySet[Incident]:
    """Return the incidents the user may see: a member's, or all of them for a site admin."""
    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    if is_site_admin(user):
        return Incident.objects.all()
    # EXISTS rather than a join: SQLite can then walk the list's index in its order and
    # stop after a page, instead of joining and sorting every incident first.
    member = Membership.objects.filter(incident=OuterRef("pk"), user=user)
    return Incident.objects.filter(Exists(member))


def visible_incident(user: User | AnonymousUser, incident_id: int) -> Incident | None:
    """Return the incident if the user may see it, else None."""
    return visible_incidents(user).filter(pk=incident_id).first()


def role_in(user: User | AnonymousUser, incident: Incident) -> str | None:
    """Return the user's role in the incident (site admins act as leads), or None."""
    if is_site_admin(user):
        return Role.LEAD
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(incident=incident, user=user)
        .values_list("role", flat=True)
        .first()
    )


@dataclass(frozen=True)
class IncidentFilters:
    """What narrows the incident list; empty values do not filter."""

    # Each word must occur in the title or one of the organisations.
    words: Sequence[str] = field(default_factory=tuple)
    status: str | None = None
    type: str | None = None
    priority: int | None = None


def listed_incidents(
    user: User | AnonymousUser, filters: IncidentFilters | None = None
) -> QuerySet[Incident]:
    """Return the incidents the user sees that pass the filters, most urgent first."""
    found = visible_incidents(user)
    chosen = filters or IncidentFilters()
    for word in chosen.words:
        found = found.filter(
            Q(title__icontains=word)
            | Q(organisation__icontains=word)
            | Q(commissioning_organisation__icontains=word)
        )
    if chosen.status:
        found = found.filter(status=chosen.status)
    if chosen.type:
        found = found.filter(type_tags__code=chosen.type)
    if chosen.priority is not None:
        found = found.filter(priority=chosen.priority)
    return found.prefetch_related("type_tags").order_by(*LIST_ORDER.order_by())


def incident_page(
    user: User | AnonymousUser,
    filters: IncidentFilters | None = None,
    *,
    size: int,
    cursor: str | None = None,
) -> Page[Incident]:
    """Return one page of the incident list, after the position ``cursor`` names."""
    return keyset_page(listed_incidents(user, filters), LIST_ORDER, size=size, token=cursor)
