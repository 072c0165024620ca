"""The incident page's contacts panel, registered by the directory app."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import RequestFactory

from hikeshi.directory.models import DeploymentContact
from hikeshi.directory.services import add_to_incident
from hikeshi.incidents.models import Incident
from hikeshi.incidents.panels import PanelContext, panel_named


def _context(user: User, incident: Incident, *, can_write: bool) -> PanelContext:
    request = RequestFactory().get(f"/incidents/{incident.pk}/")
    request.user = user
    return PanelContext(
        request=request,
        incident=incident,
        user=user,
        role="lead" if can_write else "viewer",
        can_write=can_write,
        can_lead=can_write,
        submitted={},
    )


def test_the_contacts_panel_is_registered_in_the_side_column() -> None:
    panel = panel_named("contacts")
    assert panel is not None
    assert (panel.column, panel.template) == ("side", "directory/_incident_contacts.html")
    assert str(panel.title) == "連絡先"


def test_the_panel_shows_the_chosen_contacts_and_offers_every_contact_to_writers(
    lead: User, site_admin: User, incident: Incident
) -> None:
    vendor = DeploymentContact.objects.create(
        kind="system_vendor",
        name="サンプル保守センター",
        phone="0120-000-000",
        created_by=site_admin,
    )
    add_to_incident(lead, incident.pk, guidance_contact="jpcert_incident_response", reason="報告")
    panel = panel_named("contacts")
    assert panel is not None

    values = panel.context(_context(lead, incident, can_write=True))
    html = render_to_string(panel.template, dict(values))

    chosen = values["incident_contacts"]
    assert isinstance(chosen, list)
    assert [entry.card.key for entry in chosen] == ["guidance:jpcert_incident_response"]
    assert "03-6271-8901" in html and "報告" in html
    assert f'<option value="deployment:{vendor.pk}">' in html
    assert f'action="/incidents/{incident.pk}/contacts/"' in html
    assert f'href="/incidents/{incident.pk}/consult/"' in html


def test_a_viewer_sees_the_contacts_without_the_form(viewer: User, incident: Incident) -> None:
    panel = panel_named("contacts")
    assert panel is not None

    values = panel.context(_context(viewer, incident, can_write=False))
    html = render_to_string(panel.template, dict(values))

    assert values["contact_choices"] == []
    assert "<form" not in html and "まだ連絡先が選ばれていません。" in html
