"""The timeline read a page at a time by keyset (never an offset), streamed for exports."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from typer.testing import CliRunner

from hikeshi.accounts.models import ApiToken
from hikeshi.cli import app
from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent
from hikeshi.incidents.selectors import timeline
from hikeshi.incidents.selectors.timeline import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Position,
    TimelineEntry,
    page_after,
    page_before,
    page_from,
)
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import IncidentInput, open_incident
from hikeshi.incidents.services.timeline_export import export_csv, export_jsonl

TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=TOKYO)
MINUTE = timedelta(minutes=1)


def _event(incident: Incident, at: datetime, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(incident=incident, occurred_at=at, description=text)


def _action(incident: Incident, lead: User, at: datetime, text: str) -> ActionRecord:
    return append_action(incident.pk, lead, ActionInput(what=text, performed_at=at))


def _many_events(incident: Incident, count: int, start: datetime = T0) -> None:
    """Add ``count`` events a second apart (two per second from the middle on: ties)."""
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            occurred_at=start + timedelta(seconds=n if n < count // 2 else n // 2 + count // 4),
            description=f"event {n}",
        )
        for n in range(count)
    )


def _ids(entries: list[TimelineEntry]) -> list[tuple[str, int | None]]:
    return [(e.entry_type, e.event_id or e.action_id) for e in entries]


def _whole_list_sorted_in_python(incident: Incident) -> list[TimelineEntry]:
    """Return the timeline as it was built before paging: everything, sorted in Python."""
    entries = [
        TimelineEntry(
            at=e.occurred_at,
            precision=e.precision,
            source=e.source,
            device=e.device,
            description=e.description,
            entry_type="event",
        )
        for e in TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "pk")
    ]
    entries += [
        TimelineEntry(
            at=a.performed_at,
            precision="exact",
            source="action",
            device="",
            description=a.what,
            entry_type="action",
            actor=a.actor_name,
            scope=a.scope,
            settings=a.settings_text,
            record_hash=a.record_hash,
            action_id=a.pk,
        )
        for a in ActionRecord.objects.filter(incident=incident).order_by("sequence")
    ]
    entries.sort(key=lambda e: (e.at, e.entry_type != "event"))
    return entries


@pytest.fixture
def tied(incident: Incident, lead: User) -> list[tuple[str, int]]:
    """Events and actions sharing instants; return the order the timeline must show."""
    a_first = _action(incident, lead, T0, "最初の対応")
    e_one = _event(incident, T0 + MINUTE, "一つ目")
    a_tie_1 = _action(incident, lead, T0 + 2 * MINUTE, "同時刻の対応 1")
    e_tie_1 = _event(incident, T0 + 2 * MINUTE, "同時刻 1")
    e_tie_2 = _event(incident, T0 + 2 * MINUTE, "同時刻 2")
    a_tie_2 = _action(incident, lead, T0 + 2 * MINUTE, "同時刻の対応 2")
    # Half a second later: after the whole tie, also where SQLite compares times as text.
    e_later = _event(incident, T0 + 2 * MINUTE + timedelta(milliseconds=500), "半秒後")
    a_last = _action(incident, lead, T0 + 3 * MINUTE, "最後の対応")
    e_last = _event(incident, T0 + 3 * MINUTE, "最後")
    own = ActionRecord.objects.filter(incident=incident, performed_at__gt=T0 + 3 * MINUTE)
    return [
        ("action", a_first.pk),
        ("event", e_one.pk),
        ("event", e_tie_1.pk),
        ("event", e_tie_2.pk),
        ("action", a_tie_1.pk),
        ("action", a_tie_2.pk),
        ("event", e_later.pk),
        ("event", e_last.pk),
        ("action", a_last.pk),
        # The incident's own records (opening it, members) happened now, after all of these.
        *(("action", pk) for pk in own.order_by("pk").values_list("pk", flat=True)),
    ]


def _walk_forward(incident: Incident, size: int) -> list[list[tuple[str, int | None]]]:
    pages = []
    position: Position | None = None
    while len(pages) < 100:
        page = page_after(incident.pk, position, size=size)
        pages.append(_ids(page.entries))
        if page.later is None:
            return pages
        position = page.later
    raise AssertionError("the pages never ended")


def _walk_backward(incident: Incident, size: int) -> list[list[tuple[str, int | None]]]:
    pages = []
    position: Position | None = None
    while len(pages) < 100:
        page = page_before(incident.pk, position, size=size)
        pages.insert(0, _ids(page.entries))
        if page.earlier is None:
            return pages
        position = page.earlier
    raise AssertionError("the pages never ended")


def test_events_come_before_actions_at_the_same_instant_then_each_by_id(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    assert _ids(page_after(incident.pk, size=len(tied) + 5).entries) == tied
    assert _ids(list(timeline.entries(incident.pk))) == tied
    assert _ids(timeline.latest(incident.pk, 3)) == tied[-3:]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
def test_pages_join_into_the_whole_timeline_forwards_and_backwards(
    incident: Incident, tied: list[tuple[str, int]], size: int
) -> None:
    forwards = _walk_forward(incident, size)
    backwards = _walk_backward(incident, size)

    assert [entry for page in forwards for entry in page] == tied
    assert all(len(page) == size for page in forwards[:-1])
    assert [entry for page in backwards for entry in page] == tied
    assert all(len(page) == size for page in backwards[1:])


def test_the_first_page_has_nothing_earlier_and_the_last_nothing_later(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    first = page_after(incident.pk, size=3)
    middle = page_after(incident.pk, first.later, size=3)
    last = page_before(incident.pk, size=3)

    assert first.earlier is None and first.later is not None
    assert middle.earlier == middle.entries[0].position
    assert _ids(page_before(incident.pk, middle.earlier, size=3).entries) == _ids(first.entries)
    assert last.later is None and last.earlier is not None
    assert page_after(incident.pk, last.entries[-1].position, size=3).entries == []


def test_a_page_starts_at_each_entry_it_is_asked_to_locate(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    for index, (kind, pk) in enumerate(tied):
        locate = timeline.position_of_action if kind == "action" else timeline.position_of_event
        position = locate(incident.pk, pk)
        assert position is not None
        page = page_from(incident.pk, position, size=2)
        assert _ids(page.entries) == tied[index : index + 2]
        assert (page.earlier is None) == (index == 0)


def test_an_entry_of_another_incident_has_no_position(
    incident: Incident, lead: User, tied: list[tuple[str, int]]
) -> None:
    other = open_incident(lead, IncidentInput(title="別件", detected_at=T0))
    elsewhere = _action(other, lead, T0, "別件の対応")
    event = _event(other, T0, "別件の出来事")

    assert timeline.position_of_action(incident.pk, elsewhere.pk) is None
    assert timeline.position_of_event(incident.pk, event.pk) is None
    assert timeline.position_of_action(other.pk, elsewhere.pk) == (
        T0,
        timeline.ACTION,
        elsewhere.pk,
    )


def test_a_page_never_holds_more_than_the_largest_size(incident: Incident) -> None:
    _many_events(incident, MAX_PAGE_SIZE + 20)

    assert len(page_after(incident.pk, size=10 * MAX_PAGE_SIZE).entries) == MAX_PAGE_SIZE
    assert len(page_after(incident.pk, size=0).entries) == 1


def test_a_position_travels_as_a_token_and_a_made_up_one_is_refused(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    position = page_after(incident.pk, size=4).later
    assert position is not None

    assert timeline.read_position(position.token()) == position
    for token in ("", "abc", "W10", "WyJ4IiwiMSIsIjIiXQ", "9" * 2000):
        with pytest.raises(InvalidInput):
            timeline.read_position(token)


def test_exports_are_what_the_whole_sorted_list_gave(
    incident: Incident, lead: User, tied: list[tuple[str, int]]
) -> None:
    _many_events(incident, 450, start=T0 + 90 * MINUTE)
    for n in range(12):
        _action(incident, lead, T0 + 90 * MINUTE + timedelta(seconds=20 * n), f"対応 {n}")
    expected = _whole_list_sorted_in_python(incident)
    streamed = list(timeline.entries(incident.pk))

    assert "".join(export_csv(streamed)) == "".join(export_csv(expected))
    assert "".join(export_jsonl(streamed)) == "".join(export_jsonl(expected))
    assert [e.position for e in streamed] == sorted(e.position for e in streamed)


def test_web_api_and_cli_exports_stream_the_same_bytes_as_before(
    incident: Incident, lead: User, tied: list[tuple[str, int]]
) -> None:
    _many_events(incident, 300, start=T0 + 90 * MINUTE)
    _action(incident, lead, T0 + 95 * MINUTE, "途中の対応")
    expected = _whole_list_sorted_in_python(incident)
    web = Client()
    web.force_login(lead)
    _, token = ApiToken.issue(lead, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    base = f"/api/v1/incidents/{incident.pk}/timeline/export"

    for kind, render in (("csv", export_csv), ("jsonl", export_jsonl)):
        wanted = "".join(render(expected))
        from_web = web.get(reverse(f"incidents:export_{kind}", args=[incident.pk]))
        from_api = api.get(base, {"format": kind})
        from_cli = CliRunner().invoke(
            app, ["timeline", "export", str(incident.pk), "--format", kind, "--as", "lead"]
        )
        assert from_web.getvalue().decode() == wanted
        assert from_api.getvalue().decode() == wanted
        assert from_cli.exit_code == 0, from_cli.output
        # The bytes: Click's ``stdout`` turns the CSV's CRLF line ends into LF.
        assert from_cli.stdout_bytes.decode() == wanted


# --- the timeline page -------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page_url(incident: Incident) -> str:
    return reverse("incidents:timeline", kwargs={"incident_id": incident.pk})


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _shown_rows(html: str) -> int:
    return html.count('<tr class="entry-')


def test_the_timeline_page_shows_a_bounded_page_and_turns_by_keyset(
    incident: Incident, lead: User
) -> None:
    _many_events(incident, PAGE_SIZE + 30)
    client = _client(lead)
    url = _page_url(incident)

    first = client.get(url).text
    later = page_after(incident.pk).later
    assert later is not None
    second = client.get(url, {"after": later.token()}).text
    last = client.get(url, {"last": "1"}).text

    assert _shown_rows(first) == PAGE_SIZE
    assert f'href="?after={later.token()}"' in first and 'href="?before=' not in first
    assert 0 < _shown_rows(second) <= PAGE_SIZE
    assert 'href="?before=' in second
    assert _shown_rows(last) == PAGE_SIZE and 'href="?after=' not in last


@pytest.mark.parametrize(
    "query",
    [
        {"after": "x"},
        {"before": "%%%"},
        {"after": "9" * 3000},
        {"at": "2025-13-40"},
        {"at": "0001-01-01"},
        {"at": "9999-12-31"},
        {"timeline_action": "１２"},
        {"timeline_event": "9" * 30},
        {"last": "yes"},
    ],
)
def test_unusable_paging_parameters_show_a_page_never_an_error(
    incident: Incident, lead: User, query: dict[str, str]
) -> None:
    _many_events(incident, 20)

    response = _client(lead).get(_page_url(incident), query)

    assert response.status_code == 200
    assert _shown_rows(response.text) > 0 or query.get("at") == "9999-12-31"


def test_jumping_to_a_day_shows_the_page_starting_that_day_in_the_incidents_zone(
    incident: Incident, lead: User
) -> None:
    _event(incident, datetime(2025, 3, 1, 23, 30, tzinfo=TOKYO), "前日の深夜")
    morning = _event(incident, datetime(2025, 3, 2, 0, 10, tzinfo=TOKYO), "当日の未明")

    shown = _client(lead).get(_page_url(incident), {"at": "2025-03-02"}).text

    assert "前日の深夜" not in shown
    assert f'id="timeline-event-{morning.pk}"' in shown and 'href="?before=' in shown


def test_the_link_to_an_action_opens_the_page_that_holds_it(incident: Incident, lead: User) -> None:
    _many_events(incident, 2 * PAGE_SIZE + 50)
    late = _action(incident, lead, T0 + timedelta(seconds=2 * PAGE_SIZE), "三頁目の対応")
    client = _client(lead)
    url = _page_url(incident)

    first = client.get(url).text
    linked = client.get(url, {"timeline_action": late.pk}).text
    # Addresses of entries from elsewhere (the checklist) name the incident page.
    detail = reverse("incidents:detail", kwargs={"incident_id": incident.pk})
    redirected = client.get(detail, {"timeline_action": late.pk})

    assert f'id="timeline-action-{late.pk}"' not in first
    assert f'id="timeline-action-{late.pk}"' in linked
    assert redirected.status_code == 302
    assert redirected["Location"] == f"{url}?timeline_action={late.pk}"


def test_adding_an_event_returns_to_the_page_it_landed_on(incident: Incident, lead: User) -> None:
    _many_events(incident, 2 * PAGE_SIZE + 50)
    client = _client(lead)
    response = client.post(
        reverse("incidents:add_event", args=[incident.pk]),
        {
            "occurred_at": "2025-03-01T23:59",
            "precision": "exact",
            "description": "夜間の不審な通信",
        },
    )
    event = TimelineEvent.objects.get(incident=incident, description="夜間の不審な通信")
    page = _page_url(incident)
    assert response.status_code == 302
    assert response["Location"] == f"{page}?timeline_event={event.pk}#timeline-event-{event.pk}"
    shown = client.get(response["Location"]).text
    assert f'id="timeline-event-{event.pk}"' in shown


def test_a_deep_page_costs_the_same_queries_as_a_shallow_one(
    incident: Incident, lead: User
) -> None:
    _many_events(incident, 250)
    for n in range(4):
        _action(incident, lead, T0 + timedelta(seconds=60 * n), f"対応 {n}")
    client = _client(lead)
    url = _page_url(incident)
    shallow = page_after(incident.pk, size=10).later
    assert shallow is not None
    action = ActionRecord.objects.filter(incident=incident).order_by("performed_at").first()
    assert action is not None
    costs = {
        "after": _page_queries(client, f"{url}?after={shallow.token()}"),
        "last": _page_queries(client, f"{url}?last=1"),
        "located": _page_queries(client, f"{url}?timeline_action={action.pk}"),
    }

    _many_events(incident, 3000, start=T0 + 60 * MINUTE)
    for n in range(20):
        _action(incident, lead, T0 + 60 * MINUTE + timedelta(seconds=75 * n), f"追加 {n}")
    deep = page_after(incident.pk, size=2500).later
    assert deep is not None
    late = _action(incident, lead, T0 + 60 * MINUTE + timedelta(seconds=2900), "深い対応")

    assert _page_queries(client, f"{url}?after={deep.token()}") == costs["after"]
    assert _page_queries(client, f"{url}?last=1") == costs["last"]
    assert _page_queries(client, f"{url}?timeline_action={late.pk}") == costs["located"]


def test_an_api_page_costs_the_same_queries_however_deep(incident: Incident, lead: User) -> None:
    _many_events(incident, 30)
    _, token = ApiToken.issue(lead, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/incidents/{incident.pk}/timeline"
    api.get(url)  # the token's first use records it (one more query, once a minute)
    shallow = page_after(incident.pk, size=10).later
    assert shallow is not None
    with CaptureQueriesContext(connection) as small:
        api.get(url, {"limit": 10, "cursor": shallow.token()})

    _many_events(incident, 3000, start=T0 + 60 * MINUTE)
    deep = page_after(incident.pk, size=MAX_PAGE_SIZE).later
    assert deep is not None
    deep = page_after(incident.pk, deep, size=MAX_PAGE_SIZE).later
    assert deep is not None
    with CaptureQueriesContext(connection) as large:
        answer = api.get(url, {"limit": 10, "cursor": deep.token()})

    assert len(answer.json()["items"]) == 10
    assert len(large) == len(small)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_each_source_is_read_from_its_index_without_sorting(incident: Incident) -> None:
    position = Position(T0, timeline.EVENT, 1)
    for source in timeline.SOURCES:
        for later in (True, False):
            rows = source.rows(incident.pk).filter(source.beyond(position, later=later))
            order = (source.time_column, "pk") if later else (f"-{source.time_column}", "-pk")
            sql, params = rows.order_by(*order).values_list("pk")[:10].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "_keyset" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
