"""The timeline read a page at a time: merged in the database, streamed for exports."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from typer.testing import CliRunner

from hikeshi.accounts.models import ApiToken
from hikeshi.cli import app
from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.incidents import IncidentInput, open_incident
from hikeshi.incidents.services.timeline import Timeline, TimelineEntry
from hikeshi.incidents.services.timeline_export import export_csv, export_jsonl
from hikeshi.incidents.views.page import TIMELINE_PER_PAGE

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


def test_events_come_before_actions_at_the_same_instant_then_each_by_id(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    timeline = Timeline(incident)

    assert _ids(timeline[0 : len(tied)]) == tied
    assert _ids(list(timeline)) == tied
    assert timeline.count() == len(tied)


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 7])
def test_pages_join_into_the_whole_timeline_without_gaps_or_repeats(
    incident: Incident, tied: list[tuple[str, int]], per_page: int
) -> None:
    paginator = Paginator(Timeline(incident), per_page)

    pages = [_ids(list(paginator.page(n))) for n in paginator.page_range]

    assert [entry for page in pages for entry in page] == tied
    assert all(len(page) == per_page for page in pages[:-1])


def test_a_slice_past_the_end_is_empty_and_an_index_past_it_is_refused(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    timeline = Timeline(incident)

    assert timeline[len(tied) : len(tied) + 5] == []
    assert _ids([timeline[2]]) == [tied[2]]
    with pytest.raises(IndexError):
        timeline[len(tied)]


def test_the_position_of_each_action_is_where_the_timeline_shows_it(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    timeline = Timeline(incident)

    for index, (kind, pk) in enumerate(tied):
        if kind == "action":
            assert timeline.position_of_action(pk) == index


def test_the_position_of_each_event_is_where_the_timeline_shows_it(
    incident: Incident, tied: list[tuple[str, int]]
) -> None:
    timeline = Timeline(incident)

    for index, (kind, pk) in enumerate(tied):
        if kind == "event":
            assert timeline.position_of_event(pk) == index


def test_adding_an_event_returns_to_the_page_it_landed_on(incident: Incident, lead: User) -> None:
    _many_events(incident, 2 * TIMELINE_PER_PAGE + 50)
    client = Client()
    client.force_login(lead)
    page = reverse("incidents:detail", args=[incident.pk])
    response = client.post(
        reverse("incidents:add_event", args=[incident.pk]),
        {
            "occurred_at": "2025-03-01T23:59",
            "precision": "exact",
            "description": "夜間の不審な通信",
        },
    )
    event = TimelineEvent.objects.get(incident=incident, description="夜間の不審な通信")
    assert response.status_code == 302
    assert response["Location"] == f"{page}?timeline_event={event.pk}#timeline-event-{event.pk}"
    shown = client.get(response["Location"]).text
    assert f'id="timeline-event-{event.pk}"' in shown


def test_an_action_of_another_incident_has_no_position(
    incident: Incident, lead: User, tied: list[tuple[str, int]]
) -> None:
    other = open_incident(lead, IncidentInput(title="別件", detected_at=T0))
    elsewhere = _action(other, lead, T0, "別件の対応")

    assert Timeline(incident).position_of_action(elsewhere.pk) is None
    assert Timeline(other).position_of_action(elsewhere.pk) == 0


def test_exports_are_what_the_whole_sorted_list_gave(
    incident: Incident, lead: User, tied: list[tuple[str, int]]
) -> None:
    _many_events(incident, 450, start=T0 + 90 * MINUTE)
    for n in range(12):
        _action(incident, lead, T0 + 90 * MINUTE + timedelta(seconds=20 * n), f"対応 {n}")
    expected = _whole_list_sorted_in_python(incident)
    streamed = list(Timeline(incident))

    assert "".join(export_csv(streamed)) == "".join(export_csv(expected))
    assert "".join(export_jsonl(streamed)) == "".join(export_jsonl(expected))
    assert [e.order_key for e in streamed] == sorted(e.order_key for e in streamed)


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


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_every_timeline_page_costs_the_same_queries_however_long_the_timeline(
    incident: Incident, lead: User
) -> None:
    _many_events(incident, 250)
    for n in range(4):
        _action(incident, lead, T0 + timedelta(seconds=60 * n), f"対応 {n}")
    client = Client()
    client.force_login(lead)
    page = reverse("incidents:detail", args=[incident.pk])
    first = _page_queries(client, f"{page}?timeline_page=1")

    _many_events(incident, 2000, start=T0 + 60 * MINUTE)
    # Spread over the new events, so that every page holds events and actions.
    for n in range(20):
        _action(incident, lead, T0 + 60 * MINUTE + timedelta(seconds=75 * n), f"追加 {n}")

    assert Timeline(incident).count() > 10 * TIMELINE_PER_PAGE
    for number in (1, 5, 12):
        assert _page_queries(client, f"{page}?timeline_page={number}") == first


def test_an_api_page_costs_the_same_queries_however_long_the_timeline(
    incident: Incident, lead: User
) -> None:
    _many_events(incident, 30)
    _, token = ApiToken.issue(lead, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/incidents/{incident.pk}/timeline"
    api.get(url)  # the token's first use records it (one more query, once a minute)
    with CaptureQueriesContext(connection) as small:
        api.get(url, {"page_size": 10, "page": 2})

    _many_events(incident, 3000, start=T0 + 60 * MINUTE)
    with CaptureQueriesContext(connection) as large:
        api.get(url, {"page_size": 10, "page": 250})

    assert len(large) == len(small)


def test_the_link_to_an_action_opens_the_page_it_is_on(incident: Incident, lead: User) -> None:
    _many_events(incident, 2 * TIMELINE_PER_PAGE + 50)
    late = _action(incident, lead, T0 + timedelta(seconds=2 * TIMELINE_PER_PAGE), "三頁目の対応")
    client = Client()
    client.force_login(lead)
    page = reverse("incidents:detail", args=[incident.pk])
    position = Timeline(incident).position_of_action(late.pk)
    assert position is not None
    expected_page = position // TIMELINE_PER_PAGE + 1
    assert expected_page == 3

    first = client.get(page).text
    linked = client.get(f"{page}?timeline_action={late.pk}").text

    assert f'id="timeline-action-{late.pk}"' not in first
    assert f'id="timeline-action-{late.pk}"' in linked
    assert re.search(rf'<strong aria-current="page">{expected_page}</strong>', linked)


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "１２", "999999999"])
def test_an_unusable_action_link_shows_the_page_asked_for(
    incident: Incident, lead: User, value: str
) -> None:
    _many_events(incident, TIMELINE_PER_PAGE + 10)
    client = Client()
    client.force_login(lead)
    page = reverse("incidents:detail", args=[incident.pk])

    response = client.get(page, {"timeline_action": value, "timeline_page": "2"})

    assert response.status_code == 200
    assert '<strong aria-current="page">2</strong>' in response.text


def test_the_timeline_offers_page_numbers_with_gaps_elided(incident: Incident, lead: User) -> None:
    _many_events(incident, 20 * TIMELINE_PER_PAGE)
    client = Client()
    client.force_login(lead)
    page = reverse("incidents:detail", args=[incident.pk])

    shown = client.get(page, {"timeline_page": "10"}).text

    numbers = re.findall(r'href="\?timeline_page=(\d+)#timeline">\d+</a>', shown)
    assert numbers == ["1", "8", "9", "11", "12", "21"]
    assert '<strong aria-current="page">10</strong>' in shown
    assert shown.count("…") >= 2
