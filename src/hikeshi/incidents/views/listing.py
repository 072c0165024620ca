"""The incident list: the incidents a person may see, filtered, most urgent first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hikeshi.incidents.forms.filters import IncidentFilterForm
from hikeshi.incidents.selectors.incidents import listed_incidents
from hikeshi.incidents.views.guards import acting_user

INCIDENTS_PER_PAGE = 50


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    """Return the list page: filters kept in the form, incidents by priority then newest."""
    filters = IncidentFilterForm(request.GET)
    incidents = listed_incidents(acting_user(request), filters.chosen())
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/list.html",
        {"filters": filters, "page": page, "filter_query": query.urlencode()},
    )
