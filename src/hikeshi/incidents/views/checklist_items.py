"""Work on one checklist item, posted from the opened item: start, done, not applicable,
assign, comment. Every post names the checklist's filters so that the answer keeps them."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.checklist import (
    AssignForm,
    CommentForm,
    DoneForm,
    NotApplicableForm,
)
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.selectors.checklist import (
    ChecklistEntry,
    assignable_people,
    checklist_entry,
)
from hikeshi.incidents.services import checklist as checklist_services
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.views.checklist import checklist_url, filter_query, person_label
from hikeshi.incidents.views.checklist_item import SubmittedForm, render_item
from hikeshi.incidents.views.guards import acting_user, refuse_method

# Runs the service for a checked form; raises InvalidInput when the service refuses.
Work = Callable[[User, Incident, ChecklistItem, forms.Form], object]


def _entry_in(incident: Incident, item_id: int) -> ChecklistEntry:
    entry = checklist_entry(incident, item_id)
    if entry is None:
        raise Http404("no such checklist item in this incident")
    return entry


def _back(request: HttpRequest, incident: Incident, item: ChecklistItem) -> HttpResponseRedirect:
    query = filter_query(request.POST.get("filters", ""))
    return HttpResponseRedirect(checklist_url(incident.pk, query, item.pk))


def _form_post(
    request: HttpRequest,
    incident_id: int,
    item_id: int,
    *,
    panel: str,
    make_form: Callable[[Incident, ChecklistItem], forms.Form],
    work: Work,
    done_message: str,
) -> HttpResponse:
    """Check the form, run the service, and go back to the item, or show what was wrong."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    entry = _entry_in(incident, item_id)
    item = entry.item
    form = make_form(incident, item)
    if form.is_valid():
        try:
            work(user, incident, item, form)
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, done_message)
            return _back(request, incident, item)
    return render_item(
        request,
        incident,
        entry,
        query=filter_query(request.POST.get("filters", "")),
        submitted=SubmittedForm(item.pk, panel, form),
        status=400,
    )


def _auto_id(item: ChecklistItem) -> str:
    return f"item{item.pk}-%s"


@login_required
def mark_done(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Mark the item done with when, scope and settings; that records the action."""

    def make_form(incident: Incident, item: ChecklistItem) -> forms.Form:
        return DoneForm(request.POST, time_zone=incident.time_zone, auto_id=_auto_id(item))

    def work(user: User, incident: Incident, item: ChecklistItem, form: forms.Form) -> object:
        data = form.cleaned_data
        return checklist_services.mark_done(
            user,
            incident.pk,
            item.pk,
            performed_at=data["performed_at"],
            scope=data["scope"],
            settings=data["settings"],
            note=data["note"],
        )

    return _form_post(
        request,
        incident_id,
        item_id,
        panel="done",
        make_form=make_form,
        work=work,
        done_message=_("The item was marked done; the action record is on the timeline."),
    )


@login_required
def mark_not_applicable(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Mark the item as not applying to this incident, with the reason."""

    def make_form(incident: Incident, item: ChecklistItem) -> forms.Form:
        return NotApplicableForm(request.POST, auto_id=_auto_id(item))

    def work(user: User, incident: Incident, item: ChecklistItem, form: forms.Form) -> object:
        return checklist_services.mark_not_applicable(
            user, incident.pk, item.pk, form.cleaned_data["reason"]
        )

    return _form_post(
        request,
        incident_id,
        item_id,
        panel="not_applicable",
        make_form=make_form,
        work=work,
        done_message=_("The item was marked as not applicable."),
    )


@login_required
def assign(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Give the item to a lead or responder of the incident, or to nobody."""

    people: dict[str, User] = {}

    def make_form(incident: Incident, item: ChecklistItem) -> forms.Form:
        people.update({str(person.pk): person for person in assignable_people(incident)})
        choices = [(value, person_label(person)) for value, person in people.items()]
        return AssignForm(request.POST, people=choices, auto_id=_auto_id(item))

    def work(user: User, incident: Incident, item: ChecklistItem, form: forms.Form) -> object:
        chosen = form.cleaned_data["assignee"]
        # The choices are the incident's leads and responders; the service checks again.
        return checklist_services.assign(user, incident.pk, item.pk, people.get(chosen))

    return _form_post(
        request,
        incident_id,
        item_id,
        panel="assign",
        make_form=make_form,
        work=work,
        done_message=_("The assignee was set."),
    )


@login_required
def add_comment(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Add a comment to the item."""

    def make_form(incident: Incident, item: ChecklistItem) -> forms.Form:
        return CommentForm(request.POST, auto_id=_auto_id(item))

    def work(user: User, incident: Incident, item: ChecklistItem, form: forms.Form) -> object:
        return checklist_services.add_comment(user, incident.pk, item.pk, form.cleaned_data["text"])

    return _form_post(
        request,
        incident_id,
        item_id,
        panel="comment",
        make_form=make_form,
        work=work,
        done_message=_("The comment was added."),
    )


def _set_in_progress(
    request: HttpRequest, incident_id: int, item_id: int, *, reopen: bool
) -> HttpResponse:
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    item = _entry_in(incident, item_id).item
    try:
        checklist_services.set_in_progress(user, incident.pk, item.pk, reopen=reopen)
    except InvalidInput as error:
        messages.error(request, error.translated())
    else:
        messages.success(
            request, _("The item was reopened.") if reopen else _("The item is now in progress.")
        )
    return _back(request, incident, item)


@login_required
def start(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Set an open item in progress."""
    return _set_in_progress(request, incident_id, item_id, reopen=False)


@login_required
def reopen(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Reopen a done or not-applicable item (it goes back to in progress)."""
    return _set_in_progress(request, incident_id, item_id, reopen=True)
