"""The site log page: account events for site administrators, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hikeshi.incidents.access import is_site_admin
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.sitelog.audit import site_log_head
from hikeshi.sitelog.forms import SiteLogFilterForm
from hikeshi.sitelog.models import SiteLogEntry
from hikeshi.sitelog.selectors import entries_page
from hikeshi.sitelog.vocabulary import DETAIL_LABELS, DETAIL_VALUE_LABELS, kind_label


@dataclass(frozen=True)
class DetailItem:
    """One fact of an entry's detail, as a person reads it."""

    label: str
    value: str


@dataclass(frozen=True)
class Row:
    """One entry as the page shows it."""

    entry: SiteLogEntry
    kind_label: str
    details: list[DetailItem]


def _field_names(value: str) -> str:
    """Return a list of User field names as their labels in the active language."""
    labels = []
    for name in (part.strip() for part in value.split(",")):
        try:
            field = User._meta.get_field(name)
        except FieldDoesNotExist:
            labels.append(name)
            continue
        labels.append(str(getattr(field, "verbose_name", name)))
    return ", ".join(labels)


def _readable(key: str, value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    if key == "fields":
        return _field_names(text)
    label = DETAIL_VALUE_LABELS.get(key, {}).get(text)
    return str(label) if label is not None else text


def detail_items(detail: object) -> list[DetailItem]:
    """Return the entry's detail as labelled, readable items, in the order recorded."""
    if not isinstance(detail, dict):
        return []
    return [
        DetailItem(str(DETAIL_LABELS.get(key, key)), _readable(key, value))
        for key, value in detail.items()
    ]


@login_required
def site_log_page(request: HttpRequest) -> HttpResponse:
    """Return the site log page; anyone but a site administrator gets 404."""
    if not is_site_admin(acting_user(request)):
        raise Http404("no such page")
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    filters = SiteLogFilterForm(request.GET)
    page = entries_page(
        filters.chosen(), before=filters.value("before"), after=filters.value("after")
    )
    shown, newer, older = page.entries, page.newer, page.older
    query = request.GET.copy()
    for position in ("before", "after"):
        query.pop(position, None)
    length, head = site_log_head()
    context = {
        "filters": filters,
        "zone": filters.zone(),
        "rows": [Row(e, kind_label(e.kind), detail_items(e.detail)) for e in shown],
        "newer_after": shown[0].sequence if newer and shown else None,
        "older_before": shown[-1].sequence if older and shown else None,
        "filter_query": query.urlencode(),
        "is_first_page": filters.value("before") is None and filters.value("after") is None,
        "length": length,
        "head": head,
    }
    return render(request, "sitelog/site_log.html", context, status=400 if filters.errors else 200)
