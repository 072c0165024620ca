"""The incident page is a shell of the panels apps register; each panel is also reachable
alone, and a refused form comes back in its own panel, not in the whole page."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hikeshi.incidents import panels
from hikeshi.incidents.models import Incident
from hikeshi.incidents.panels import Panel, register, registered
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.incidents import change_status
from hikeshi.incidents.vocabulary import Status

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)
TOKYO = ZoneInfo("Asia/Tokyo")
INCIDENTS = Path(__file__).resolve().parents[2] / "src" / "hikeshi" / "incidents"
TEST_APP = Path(__file__).resolve().parents[1] / "panel_app"
CONFLICT_JA = "この案件は他の利用者によって更新されました。"


@pytest.fixture
def panel_app(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Panel]:
    """Start the test app as Django starts an app: its ready() registers its panel.

    The registry is restored afterwards, so no other test sees the panel.
    """
    monkeypatch.setattr(panels, "_PANELS", dict(panels._PANELS))
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], TEST_APP / "templates"]}]
    config_module = importlib.import_module("tests.panel_app.apps")
    app = importlib.import_module("tests.panel_app")
    config_module.PanelAppConfig("tests.panel_app", app).ready()
    yield next(panel for panel in registered() if panel.key == "test-evidence")


def _sections(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<section id="')[1:]]


def test_a_panel_registered_by_an_app_appears_on_the_incident_page(
    panel_app: Panel, lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    page = lead_client.get(url_of("detail")).text

    assert "証拠品（テスト）" in page
    assert f"{incident.title} の証拠品 / lead (writer)" in page
    # In the main column, in its order: after the checklist (10), before the summary (30).
    sections = _sections(page)
    assert sections.index("checklist") < sections.index("test-evidence") < sections.index("summary")
    assert f'href="{url_of("detail")}#test-evidence"' in page  # the header's section links


def test_a_registered_panel_is_reachable_alone_and_hidden_where_it_is_not_visible(
    panel_app: Panel, lead_client: Client, viewer_client: Client, url_of: IncidentUrl
) -> None:
    alone = lead_client.get(url_of("panel", panel_key="test-evidence"))

    assert alone.status_code == 200
    assert _sections(alone.text) == ["test-evidence"]
    assert "証拠品（テスト）" not in viewer_client.get(url_of("detail")).text
    assert viewer_client.get(url_of("panel", panel_key="test-evidence")).status_code == 404


def test_incidents_imports_no_app_that_registers_a_panel() -> None:
    imported: set[str] = set()
    for path in INCIDENTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)

    assert not any(name.startswith("tests") for name in imported)
    # The shell itself knows only the registry, whatever apps contribute.
    for shell in ("panels.py", "views/page.py", "views/panels.py"):
        tree = ast.parse((INCIDENTS / shell).read_text(encoding="utf-8"))
        modules = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert {
            m
            for m in modules
            if m.startswith("hikeshi.")
            and not m.startswith(("hikeshi.incidents", "hikeshi.bounds"))
        } == set(), shell


def test_a_second_panel_with_a_taken_key_or_a_bad_key_is_refused(panel_app: Panel) -> None:
    with pytest.raises(ImproperlyConfigured):
        register(panel_app)
    with pytest.raises(ImproperlyConfigured):
        register(Panel("Bad Key", "x", "x.html", lambda context: {}, 1))


def test_the_registry_sorts_each_column_by_order() -> None:
    listed = [(panel.column, panel.order) for panel in registered()]

    assert listed == sorted(listed)
    assert {"checklist", "summary", "actions", "timeline", "triage", "status", "members"} <= {
        panel.key for panel in registered()
    }


def test_an_unknown_panel_is_not_found(lead_client: Client, url_of: IncidentUrl) -> None:
    assert lead_client.get(url_of("panel", panel_key="no-such-panel")).status_code == 404


def test_the_incident_page_shows_only_the_newest_actions_and_entries(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    for n in range(12):
        append_action(incident.pk, lead, ActionInput(what=f"対応 {n:02d}"))

    page = lead_client.get(url_of("detail")).text

    assert (
        "対応 11" in page and "対応 07" in page and "対応 06" not in page.split('id="timeline"')[0]
    )
    assert page.count('<li class="action') == 5
    assert page.count('<tr class="entry-') == 10
    assert f'href="{url_of("actions")}"' in page
    assert f'href="{url_of("timeline")}?last=1"' in page


# --- a refused form comes back in its own panel -----------------------------------------


def test_a_refused_triage_comes_back_in_the_triage_panel_alone(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("triage"), {"version": incident.version, "is_incident": "no"}
    )

    assert response.status_code == 400
    assert _sections(response.text) == ["triage"]
    assert (
        "インシデントではない理由</a>: インシデントではない理由を入力してください。"
        in response.text
    )


def test_a_conflicting_status_change_shows_the_notice_in_the_status_panel(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    stale = incident.version
    moved = change_status(lead, incident.pk, stale, Status.TRIAGE)

    response = lead_client.post(url_of("status"), {"version": stale, "status": Status.DETECTED})

    assert response.status_code == 409
    assert _sections(response.text) == ["status"]
    section = response.text.split('<section id="status"')[1]
    assert CONFLICT_JA in section
    assert f'name="version" value="{moved.version}"' in section


@pytest.mark.parametrize(
    ("route", "data", "panel"),
    [
        ("actions", {"what": ""}, "actions"),
        ("add_event", {"occurred_at": "", "description": "x"}, "timeline"),
        ("add_member", {"username": "nobody", "role": "viewer"}, "members"),
        ("import_timeline", {}, "timeline"),
    ],
)
def test_each_refused_form_comes_back_in_its_panel_with_its_errors(
    lead_client: Client, url_of: IncidentUrl, route: str, data: dict[str, str], panel: str
) -> None:
    response = lead_client.post(url_of(route), data)

    assert response.status_code == 400
    assert _sections(response.text) == [panel]
    assert 'class="error' in response.text or "error-summary" in response.text


# --- the actions page ---------------------------------------------------------------------


def _sequences(html: str) -> list[int]:
    return [int(part.split('"', 1)[0]) for part in html.split('id="action-')[1:]]


def test_the_actions_page_pages_newest_first_by_sequence(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    for n in range(120):
        append_action(
            incident.pk,
            lead,
            ActionInput(what=f"対応 {n}", performed_at=datetime(2026, 11, 20, 9, tzinfo=TOKYO)),
        )
    total = Incident.objects.get(pk=incident.pk).audit_length

    first = lead_client.get(url_of("actions")).text
    second = lead_client.get(url_of("actions"), {"before": str(total - 49)}).text
    last = lead_client.get(url_of("actions"), {"before": "21"}).text
    back = lead_client.get(url_of("actions"), {"after": str(total - 50)}).text

    assert _sequences(first) == list(range(total, total - 50, -1))
    assert f'href="?before={total - 49}"' in first and 'href="?after=' not in first
    assert _sequences(second) == list(range(total - 50, total - 100, -1))
    assert f'href="?after={total - 50}"' in second
    assert _sequences(last) == list(range(20, 0, -1)) and 'href="?before=' not in last
    assert _sequences(back) == _sequences(first)


@pytest.mark.parametrize(
    "query", [{"before": "x"}, {"after": "9" * 40}, {"before": "-3"}, {"after": "99999999999"}]
)
def test_unusable_action_paging_shows_the_newest_page(
    lead_client: Client, url_of: IncidentUrl, query: dict[str, str]
) -> None:
    response = lead_client.get(url_of("actions"), query)

    assert response.status_code == 200
    assert _sequences(response.text)[0] == Incident.objects.get().audit_length


def test_a_deep_actions_page_costs_what_the_first_costs(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    def queries(query: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert lead_client.get(url_of("actions"), query).status_code == 200
        return len(captured)

    for n in range(60):
        append_action(incident.pk, lead, ActionInput(what=f"対応 {n}"))
    shallow = queries({"before": "55"})
    for n in range(150):
        append_action(incident.pk, lead, ActionInput(what=f"追加 {n}", scope="PC"))

    assert queries({"before": "150"}) == shallow
