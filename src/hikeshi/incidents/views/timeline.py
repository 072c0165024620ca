"""The timeline: adding an event, importing a CSV file, exporting CSV and JSON Lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.timeline import EventForm, TimelineImportForm
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services import timeline as timeline_services
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import incident_url, render_incident_page
from hikeshi.incidents.views.posting import submit

CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"


@login_required
def add_event(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Place one event on the timeline, or show the form again with what was wrong."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    return submit(
        request,
        incident,
        EventForm(request.POST, time_zone=incident.time_zone),
        form_name="event_form",
        anchor="timeline",
        run=lambda form: timeline_services.add_event(user, incident.pk, **form.cleaned_data),
        success=_("The event was added to the timeline."),
        # Back to the page the event landed on, which on a long timeline is not page 1.
        redirect=lambda event: (
            f"{incident_url(incident.pk)}?timeline_event={event.pk}#timeline-event-{event.pk}"
        ),
    )


@login_required
def import_timeline(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Import a CSV file of events and return the report: rows taken, rows refused and why."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    form = TimelineImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_incident_page(request, incident, status=400, page_forms={"import_form": form})
    upload = form.cleaned_data["file"]
    report = timeline_services.import_csv(
        user, incident, upload.name or "timeline.csv", upload.read()
    )
    # Reasons are marked for translation in the service; shown here in the reader's language.
    rejected = [(row.line, _(row.reason)) for row in report.rejected]
    context = {
        "incident": incident,
        "report": report,
        "rejected": rejected,
        "page_url": incident_url(incident.pk, "timeline"),
    }
    return render(
        request, "incidents/import_report.html", context, status=400 if report.error else 200
    )


def _export(
    incident: Incident,
    render_lines: Callable[[Iterable[timeline_services.TimelineEntry]], Iterator[str]],
    content_type: str,
    extension: str,
) -> StreamingHttpResponse:
    # Streamed as the rows are read: memory stays flat however long the timeline is.
    entries = timeline_services.Timeline(incident)
    response = StreamingHttpResponse(render_lines(entries), content_type=content_type)
    filename = f"hikeshi-incident-{incident.pk}-timeline.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_csv(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    """Return the timeline as CSV with Timesketch's column names."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return _export(incident, timeline_services.export_csv, CSV_TYPE, "csv")


@login_required
def export_jsonl(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    """Return the timeline as JSON Lines (one Timesketch-style object per line)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return _export(incident, timeline_services.export_jsonl, JSONL_TYPE, "jsonl")
