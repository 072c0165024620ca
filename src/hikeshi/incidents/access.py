"""Who may see and change which incident: members only; for anyone else it does not exist.

A refusal is a domain exception (hikeshi.incidents.refusals), not an HTTP answer.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_noop

from hikeshi.incidents.models import Incident
from hikeshi.incidents.refusals import NotPermitted, NotVisible
from hikeshi.incidents.selectors.incidents import is_site_admin, role_in, visible_incident
from hikeshi.incidents.vocabulary import Role

__all__ = [
    "WRITER_ROLES",
    "incident_for",
    "is_site_admin",
    "may_lead",
    "role_in",
]

# Roles allowed to change an incident; viewers read only.
WRITER_ROLES = frozenset({Role.LEAD, Role.RESPONDER})


def incident_for(user: User | AnonymousUser, incident_id: int, *, write: bool = False) -> Incident:
    """Return the incident if the user may see it (and change it, with ``write``).

    Raises NotVisible for a non-member, so that outsiders cannot even learn that the
    incident exists, and NotPermitted for a viewer asking to write.
    """
    incident = visible_incident(user, incident_id)
    name = user.get_username() if user.is_authenticated else ""
    if incident is None:
        if is_site_admin(user) or not name:
            raise NotVisible(
                gettext_noop("no incident #%(incident)s"), subject="incident", incident=incident_id
            )
        raise NotVisible(
            gettext_noop("no incident #%(incident)s that %(user)s takes part in"),
            subject="incident",
            incident=incident_id,
            user=name,
        )
    if write and role_in(user, incident) not in WRITER_ROLES:
        raise NotPermitted(
            gettext_noop(
                "%(user)s may only view incident #%(incident)s; a lead can make them a responder"
            ),
            subject="incident",
            incident=incident_id,
            user=name,
        )
    return incident


def may_lead(user: User | AnonymousUser, incident: Incident) -> bool:
    """Return whether the user may manage the incident's members."""
    return role_in(user, incident) == Role.LEAD
