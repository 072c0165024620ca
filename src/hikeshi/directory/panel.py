"""The incident page's contacts panel: the contacts chosen for the incident, and adding one."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from hikeshi.directory.selectors import chosen_contacts, contact_choices
from hikeshi.incidents.panels import Panel, PanelContext, register
from hikeshi.incidents.templatetags.guidance_text import active_language

# In the side column, after triage and status, before the members.
ORDER = 30


def contacts_panel(context: PanelContext) -> Mapping[str, object]:
    """Return what the panel shows: the chosen contacts, and every contact to choose from."""
    language = active_language()
    return {
        "incident": context.incident,
        "can_write": context.can_write,
        "incident_contacts": chosen_contacts(context.incident.pk, language),
        "contact_choices": contact_choices(language) if context.can_write else [],
    }


register(
    Panel(
        key="contacts",
        title=_("Contacts"),
        template="directory/_incident_contacts.html",
        context=contacts_panel,
        order=ORDER,
        column="side",
    )
)
