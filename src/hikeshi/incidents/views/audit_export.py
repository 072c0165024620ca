"""The incident's audit record as a ZIP download, for its leads and site admins."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponseBase

from hikeshi.incidents.access import incident_for, may_lead
from hikeshi.incidents.audit.export import write_export
from hikeshi.incidents.views.guards import acting_user, refuse_method

# Exports up to this size stay in memory; larger ones (big imported timelines) spill to disk.
IN_MEMORY_BYTES = 16 * 1024 * 1024


@login_required
def audit_export(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    """Return the incident's audit record (records, covered data, checkpoints) as a ZIP."""
    user = acting_user(request)
    incident = incident_for(user, incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    if not may_lead(user, incident):
        raise PermissionDenied("only the incident's leads and site admins export its record")
    name = f"hikeshi-incident-{incident.pk}-audit.zip"
    # Closed by FileResponse once sent.
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    write_export(incident, archive, name)
    archive.seek(0)
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
