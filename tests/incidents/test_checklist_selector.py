"""The checklist read one way: the selector's filters and order, and the same answer through
the web page, the API and the CLI for the same filters."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.api.conftest import ApiClient, api_as
from tests.cli.conftest import hikeshi
from typer.testing import Result

from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.models.checklist import PHASE_ORDER, ItemStatus
from hikeshi.incidents.selectors.checklist import (
    ChecklistFilters,
    checklist,
    checklist_entry,
    checklist_entry_by_key,
    checklist_page,
)
from hikeshi.incidents.services import checklist as services
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, update_incident

Run = Callable[..., Result]
__all__ = ["api_as", "hikeshi"]  # the API's and the CLI's fixtures, used here too
SOURCE = Path(__file__).resolve().parents[2] / "src" / "hikeshi"
# The interfaces that read the checklist; they ask the selector, never the database.
INTERFACES = (
    "incidents/views/checklist.py",
    "incidents/views/checklist_item.py",
    "incidents/views/checklist_items.py",
    "api/checklist.py",
    "api/checklist_schemas.py",
    "cli/checklist.py",
    "cli/checklist_items.py",
    "cli/checklist_table.py",
)
ORM = re.compile(
    r"\.objects\b|\.(filter|exclude|order_by|select_related|prefetch_related|values_list"
    r"|annotate|aggregate|exists|first|last|get_or_create|bulk_create)\("
    r"|\.values\((?!\))"
    r"|\bPrefetch\(|\bQuerySet\b|\.(checklist|comments|memberships|actions)\.(all|get)\b"
)


def _keys(entries: list[Any]) -> list[str]:
    return [entry.item.key for entry in entries]


def _item(incident: Incident, key: str) -> ChecklistItem:
    return incident.checklist.get(key=key)


@pytest.fixture
def worked_on(incident: Incident, lead: User, responder: User) -> Incident:
    """The shared incident with some work: assigned, started, done, not applicable."""
    services.assign(lead, incident.pk, _item(incident, "matrix:28").pk, responder)
    services.assign(lead, incident.pk, _item(incident, "matrix:50").pk, lead)
    services.set_in_progress(responder, incident.pk, _item(incident, "matrix:51").pk)
    services.mark_done(
        responder,
        incident.pk,
        _item(incident, "matrix:50").pk,
        performed_at=incident.detected_at,
        scope="FS01（ファイルサーバ）",
        settings="検体を退避",
    )
    services.mark_not_applicable(
        responder, incident.pk, _item(incident, "matrix:74").pk, "被害届は別途検討済み"
    )
    return incident


# --- the selector -------------------------------------------------------------------------


def test_items_come_in_working_order(worked_on: Incident) -> None:
    entries = checklist(worked_on)
    order = [(PHASE_ORDER[e.item.phase], e.item.position, e.item.pk) for e in entries]
    assert order == sorted(order)
    assert len(entries) == worked_on.checklist.count()
    assert all(entry.step is not None for entry in entries)


def test_each_filter_narrows_the_items(worked_on: Incident, responder: User, lead: User) -> None:
    def keys(reader: User = lead, **wanted: Any) -> set[str]:
        return set(_keys(checklist(worked_on, ChecklistFilters(**wanted), reader=reader)))

    everything = keys()
    assert keys(status="done") == {"matrix:50"}
    assert keys(status="not_applicable") == {"matrix:74"}
    assert "matrix:51" in keys(status="in_progress")
    assert keys(status="open") == everything - {"matrix:50", "matrix:74"}
    assert keys(assignee="responder") == {"matrix:28"}
    assert keys(assignee="mine") == {"matrix:50"}
    assert keys(responder, assignee="mine") == {"matrix:28"}
    assert keys(assignee="unassigned") == everything - {"matrix:28", "matrix:50"}
    scope = keys(phase="scope")
    assert scope and all(_item(worked_on, key).phase == "scope" for key in scope)
    client = keys(group="client")
    assert {"matrix:50", "matrix:51"} <= client
    assert all(_item(worked_on, key).group == "client" for key in client)
    conditional = keys(requirement="conditional")
    assert conditional and "matrix:28" not in conditional
    assert keys(applies=False) == set()
    assert keys(applies=True) == everything
    # Filters combine.
    assert keys(group="client", status="done") == {"matrix:50"}


def test_search_finds_every_word_in_either_language_the_key_or_the_record(
    worked_on: Incident,
) -> None:
    def keys(search: str) -> set[str]:
        return set(_keys(checklist(worked_on, ChecklistFilters(search=search))))

    isolate = keys("削除せず 隔離")
    assert "matrix:28" in isolate and "matrix:50" not in isolate
    assert "matrix:28" in keys("isolate MALWARE")
    assert keys("matrix:74") == {"matrix:74"}
    assert keys("ＦＳ０１") == {"matrix:50"}  # full-width typed, half-width stored
    assert keys("被害届は別途") == {"matrix:74"}
    assert keys("隔離 存在しない語句") == set()


def test_items_the_types_no_longer_ask_for_are_found_with_applies_false(
    worked_on: Incident, lead: User
) -> None:
    worked_on.refresh_from_db()
    data = IncidentInput(title=worked_on.title, detected_at=worked_on.detected_at, types=["apt"])
    update_incident(lead, worked_on.pk, worked_on.version, data)

    retired = _keys(checklist(worked_on, ChecklistFilters(applies=False)))

    # Ransomware's own items that were worked on stay, marked; untouched ones are gone.
    assert {"matrix:50", "matrix:51"} <= set(retired)
    assert set(retired) <= {"matrix:28", "matrix:50", "matrix:51", "matrix:74"}
    assert not set(retired) & set(_keys(checklist(worked_on, ChecklistFilters(applies=True))))
    order = [
        (PHASE_ORDER[_item(worked_on, k).phase], _item(worked_on, k).position) for k in retired
    ]
    assert order == sorted(order)


def test_a_page_holds_its_items_with_their_comments(worked_on: Incident, lead: User) -> None:
    item = _item(worked_on, "matrix:28")
    services.add_comment(lead, worked_on.pk, item.pk, "一つ目")
    services.add_comment(lead, worked_on.pk, item.pk, "二つ目")
    everything = _keys(checklist(worked_on))

    first = checklist_page(worked_on, size=10)
    second = checklist_page(worked_on, size=10, cursor=first.next_token)
    capped = checklist_page(worked_on, size=10_000)

    assert _keys(first.entries) == everything[:10] and first.count == len(everything)
    assert _keys(second.entries) == everything[10:20] and second.count == len(everything)
    assert len(capped.entries) == min(200, len(everything))
    with pytest.raises(InvalidInput):
        checklist_page(worked_on, cursor="not-a-cursor")
    listed = next(e for e in checklist(worked_on) if e.item.pk == item.pk)
    assert listed.comment_count == 2 and listed.comments == []  # counted, not loaded
    opened = checklist_entry(worked_on, item.pk)
    assert opened is not None
    assert [c.text for c in opened.comments] == ["一つ目", "二つ目"]
    by_key = checklist_entry_by_key(worked_on, "matrix:28")
    assert by_key is not None and by_key.item.pk == item.pk


def test_an_item_of_another_incident_is_not_found(worked_on: Incident, lead: User) -> None:
    other = open_incident(
        lead, IncidentInput(title="別件", detected_at=worked_on.detected_at, types=["apt"])
    )
    assert checklist_entry(worked_on, _item(other, "matrix:41").pk) is None
    assert checklist_entry_by_key(worked_on, "matrix:41") is None


# --- the same answer through every interface ---------------------------------------------

# (web query, API query, CLI options) for the same filters.
SAME_FILTERS = [
    ({"status": "open"}, {"status": "open"}, ["--status", "open"]),
    ({"status": "done"}, {"status": "done"}, ["--status", "done"]),
    ({"phase": "scope"}, {"phase": "scope"}, ["--phase", "scope"]),
    (
        {"group": "client", "requirement": "required"},
        {"group": "client", "requirement": "required"},
        ["--group", "client", "--requirement", "required"],
    ),
    ({"assignee": "responder"}, {"assignee": "responder"}, ["--assignee", "responder"]),
    ({"assignee": "mine"}, {"assignee": "mine"}, ["--assignee", "mine"]),
    ({"assignee": "unassigned"}, {"assignee": "unassigned"}, ["--assignee", "unassigned"]),
    ({"applies": "no"}, {"applies": "false"}, ["--no-longer-applies"]),
    ({"search": "隔離 削除"}, {"search": "隔離 削除"}, ["--search", "隔離 削除"]),
]


@pytest.mark.parametrize(("web", "api", "cli"), SAME_FILTERS)
def test_web_api_and_cli_list_the_same_items_for_the_same_filters(
    worked_on: Incident,
    lead: User,
    api_as: Callable[[User], ApiClient],
    hikeshi: Run,
    web: dict[str, str],
    api: dict[str, str],
    cli: list[str],
) -> None:
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("incidents:checklist", kwargs={"incident_id": worked_on.pk}), web)
    assert page.status_code == 200
    web_ids = [
        int(found)
        for found in re.findall(r'<li class="check-item[^"]*" id="item-(\d+)"', page.text)
    ]
    answer = api_as(lead).get(f"/incidents/{worked_on.pk}/checklist", limit=200, **api)
    assert answer.status_code == 200, answer.content
    api_ids = [item["id"] for item in answer.json()["items"]]
    shown = hikeshi("checklist", "show", str(worked_on.pk), "--json", "--as", "lead", *cli)
    assert shown.exit_code == 0, shown.output
    cli_ids = [item["id"] for item in json.loads(shown.stdout)["items"]]

    expected = [entry.item.pk for entry in checklist(worked_on, _filters(web), reader=lead)]
    assert api_ids == cli_ids == expected
    # The page groups the same items by phase and target (items no longer asked for last).
    assert sorted(web_ids) == sorted(expected)
    assert len(web_ids) == len(expected)


def _filters(web: dict[str, str]) -> ChecklistFilters:
    applies = web.get("applies")
    return ChecklistFilters(
        **{name: value for name, value in web.items() if name not in ("applies", "search")},
        applies=None if applies is None else applies == "yes",
        search=web.get("search", ""),
    )


def test_the_filter_choices_are_the_same_everywhere() -> None:
    from hikeshi.api.checklist_schemas import StatusFilter
    from hikeshi.cli.checklist import Status
    from hikeshi.incidents.forms.checklist import ChecklistFilterForm
    from hikeshi.incidents.selectors.checklist import STATUS_FILTERS

    form = ChecklistFilterForm(None, groups=[], assignees=[])
    web_statuses = [value for value, _ in form.fields["status"].choices if value]  # type: ignore[attr-defined]
    assert web_statuses == [s.value for s in StatusFilter] == [s.value for s in Status]
    assert web_statuses == list(STATUS_FILTERS)
    assert set(STATUS_FILTERS) == {"open", *ItemStatus.values}


# --- the interfaces keep no queries of their own -----------------------------------------


@pytest.mark.parametrize("module", INTERFACES)
def test_checklist_interfaces_read_only_through_the_selector(module: str) -> None:
    text = (SOURCE / module).read_text(encoding="utf-8")
    found = [
        f"{module}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if ORM.search(line)
    ]
    assert not found, "ORM queries outside the selector:\n" + "\n".join(found)


def test_the_orm_pattern_catches_queries() -> None:
    for line in (
        "ChecklistItem.objects.filter(incident=incident)",
        "incident.checklist.all()",
        "items.select_related('assignee')",
        "User.objects.get(pk=1)",
        "found.order_by('position')",
        "keys = incident.checklist.values_list('key', flat=True)",
        "item.comments.all()",
        "rows = items.values('key')",
    ):
        assert ORM.search(line), line
