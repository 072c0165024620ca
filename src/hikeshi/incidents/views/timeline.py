"""The timeline: its page (a page at a time), adding an event, importing a CSV file (and
its template), exporting."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hikeshi import bounds
from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.timeline import EventForm, TimelineImportForm
from hikeshi.incidents.models import Incident
from hikeshi.incidents.selectors import timeline
from hikeshi.incidents.selectors.timeline import Position, TimelineEntry, TimelinePage
from hikeshi.incidents.services import timeline as timeline_services
from hikeshi.incidents.services import timeline_export, timeline_import
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.timeline_export import ExportOptions
from hikeshi.incidents.timeline_columns import template_csv
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import head_context, panel_context, render_panel
from hikeshi.incidents.views.posting import submit
from hikeshi.jobs.access import job_for
from hikeshi.jobs.presentation import job_views, status_url
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.views import POLL_MS
from hikeshi.jobs.vocabulary import JobKind

CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"
# Rejected rows listed per page of an import's report.
REJECTED_PER_PAGE = 50


def timeline_url(incident_id: int) -> str:
    """Return the address of the incident's timeline page."""
    return reverse("incidents:timeline", kwargs={"incident_id": incident_id})


def _entry_id(text: str) -> int | None:
    # Only ASCII digits that fit a bigint reach the database; anything else is ignored.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _located(request: HttpRequest, incident: Incident) -> Position | None:
    """Return the place of the entry ``timeline_action`` or ``timeline_event`` names."""
    action_id = _entry_id(request.GET.get("timeline_action", ""))
    if action_id is not None:
        return timeline.position_of_action(incident.pk, action_id)
    event_id = _entry_id(request.GET.get("timeline_event", ""))
    if event_id is not None:
        return timeline.position_of_event(incident.pk, event_id)
    return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _position(token: str) -> Position | None:
    try:
        return timeline.read_position(token) if token else None
    except InvalidInput:
        return None


def asked_page(request: HttpRequest, incident: Incident) -> TimelinePage:
    """Return the page the request asks for: the one holding a linked entry, the one
    starting on a day (``at``), after or before a position, the newest (``last``), or the
    first. Anything unreadable is ignored."""
    if (located := _located(request, incident)) is not None:
        return timeline.page_from(incident.pk, located)
    if (day := _day(request.GET.get("at", ""))) is not None:
        return timeline.page_after(incident.pk, timeline.start_of_day(day, incident.time_zone))
    if (after := _position(request.GET.get("after", ""))) is not None:
        return timeline.page_after(incident.pk, after)
    if (before := _position(request.GET.get("before", ""))) is not None:
        return timeline.page_before(incident.pk, before)
    if request.GET.get("last") == "1":
        return timeline.page_before(incident.pk)
    return timeline.page_after(incident.pk)


@login_required
def timeline_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the incident's timeline, oldest first, a page at a time."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    page = asked_page(request, incident)
    context = panel_context(request, incident)
    zone = incident.time_zone
    return render(
        request,
        "incidents/timeline.html",
        {
            **head_context(context, "timeline-page"),
            "entries": page.entries,
            "earlier": page.earlier.token() if page.earlier else "",
            "later": page.later.token() if page.later else "",
            "day": request.GET.get("at", "")[:10],
            "first_day": bounds.EARLIEST.date().isoformat(),
            "event_form": EventForm(time_zone=zone),
            "import_form": TimelineImportForm(),
        },
    )


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
        section="timeline",
        run=lambda form: timeline_services.add_event(user, incident.pk, **form.cleaned_data),
        success=_("The event was added to the timeline."),
        # To the timeline's page that holds the event, wherever in time it lies.
        redirect=lambda event: (
            f"{timeline_url(incident.pk)}?timeline_event={event.pk}#timeline-event-{event.pk}"
        ),
    )


@login_required
def import_timeline(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Store the uploaded CSV, start its import as a background job and go to its page."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    form = TimelineImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_panel(
            request, incident, "timeline", status=400, submitted={"import_form": form}
        )
    upload = form.cleaned_data["file"]
    try:
        # Copied from Django's spooled upload to the incident's folder a chunk at a time,
        # hashed on the way: never the whole file in memory.
        params = timeline_import.store_for_job(
            incident, upload.name or "timeline.csv", upload.chunks()
        )
        job = enqueue_job(
            JobKind.TIMELINE_IMPORT, incident_id=incident.pk, actor=user, params=params
        )
    except InvalidInput as error:
        form.add_error("file", error.translated())
        return render_panel(
            request, incident, "timeline", status=400, submitted={"import_form": form}
        )
    return HttpResponseRedirect(
        reverse("incidents:import_job", kwargs={"incident_id": incident.pk, "job_id": job.pk})
    )


@login_required
def import_job(request: HttpRequest, incident_id: int, job_id: int) -> HttpResponse:
    """Return a timeline import job's page: its progress while it runs, then its report."""
    user = acting_user(request)
    job = job_for(user, incident_id, job_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    if job.kind != JobKind.TIMELINE_IMPORT:
        raise Http404("not a timeline import")
    incident = incident_for(user, incident_id)
    view = job_views(user, incident, [job])[0]
    report = timeline_import.report_from_summary(job.result or {})
    report.filename = report.filename or str(job.params.get("filename") or "")
    # Reasons are message ids in the job's result; shown here in the reader's language.
    rejected = [(row.lines, row.reason) for row in report.rejected]
    page = Paginator(rejected, REJECTED_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "incident": incident,
        "report": report,
        "view": view,
        "status_url": status_url(incident),
        "poll_ms": POLL_MS,
        "rejected": list(page.object_list),
        "rejected_page": page,
        "unlisted": report.rejected_count - len(rejected),
        "page_url": timeline_url(incident.pk),
    }
    return render(request, "incidents/import_report.html", context)


@login_required
def import_template(request: HttpRequest, incident_id: int, language: str) -> HttpResponseBase:
    """Return a CSV template for the import: the columns read, a row per time format."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    response = HttpResponse(template_csv(language), content_type=CSV_TYPE)
    filename = f"hikeshi-incident-{incident.pk}-timeline-template-{language}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_options(request: HttpRequest, incident: Incident) -> ExportOptions:
    """Return the export options the request asks for (``bom=1``, ``local=1``)."""
    local = request.GET.get("local") == "1"
    return ExportOptions(
        bom=request.GET.get("bom") == "1",
        zone=ZoneInfo(incident.time_zone) if local else None,
    )


def _export(
    incident: Incident,
    render_lines: Callable[[Iterable[TimelineEntry], ExportOptions], Iterator[str]],
    options: ExportOptions,
    content_type: str,
    extension: str,
) -> StreamingHttpResponse:
    # Streamed as the rows are read: memory stays flat however long the timeline is.
    entries = timeline.entries(incident.pk)
    response = StreamingHttpResponse(render_lines(entries, options), content_type=content_type)
    filename = f"hikeshi-incident-{incident.pk}-timeline.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_csv(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    """Return the timeline as CSV with Timesketch's column names, formula cells neutralised.

    ``bom=1`` starts it with a byte order mark (for Excel), ``local=1`` adds the times in
    the incident's time zone.
    """
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    options = export_options(request, incident)
    return _export(incident, timeline_export.export_csv, options, CSV_TYPE, "csv")


@login_required
def export_jsonl(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    """Return the timeline as JSON Lines (one Timesketch-style object per line).

    ``local=1`` adds the times in the incident's time zone; a BOM is never written.
    """
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    options = replace(export_options(request, incident), bom=False)
    return _export(incident, timeline_export.export_jsonl, options, JSONL_TYPE, "jsonl")
