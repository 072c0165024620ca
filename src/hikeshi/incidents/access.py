"""Who may see and change which incident: members only; for anyone else it does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from hikeshi.incidents.models import Incident, Membership
from hikeshi.incidents.vocabulary import Role

# Roles allowed to change an incident; viewers read only.
WRITER_ROLES = frozenset({Role.LEAD, Role.RESPONDER})


def is_site_admin(user: User | AnonymousUser) -> bool:
    """Return whether the user administers the whole site (sees every incident)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def visible_incidents(user: User | AnonymousUser) -> QuerySet[Incident]:
    """Return the incidents the user may see."""
    if not user.is_authenticated or not user.is_active:
        return Incident.objects.none()
    if is_site_admin(user):
        return Incident.objects.all()
    return Incident.objects.filter(memberships__user=user)


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


def incident_for(user: User | AnonymousUser, incident_id: int, *, write: bool = False) -> Incident:
    """Return the incident if the user may see it (and change it, with ``write``).

    Raises Http404 for a non-member, so that outsiders cannot even learn that the incident
    exists, and PermissionDenied for a viewer asking to write.
    """
    incident = visible_incidents(user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("no such incident")
    if write and role_in(user, incident) not in WRITER_ROLES:
        raise PermissionDenied("viewers cannot change this incident")
    return incident


def may_lead(user: User | AnonymousUser, incident: Incident) -> bool:
    """Return whether the user may manage the incident's members."""
    return role_in(user, incident) == Role.LEAD
