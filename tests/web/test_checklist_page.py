"""The checklist page: items by phase and target, filters, and the work done on each item.

The list shows each item's summary; its steps, record, comments and forms are on the item's
own page, which the list loads (as a fragment) when an item is opened."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.incidents.models.checklist import ItemStatus
from hikeshi.incidents.services.checklist import add_comment, assign, mark_done
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.views.checklist_item import FRAGMENT_HEADER, ITEM_ROUTES, item_urls
from hikeshi.incidents.vocabulary import IncidentType, Role

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)
TOKYO = ZoneInfo("Asia/Tokyo")
SCOPE_MISSING_JA = "対象にした機器・アカウント・システム（範囲）を入力してください。"
SCOPE_MISSING_EN = "say which devices, accounts or systems it covered (範囲)"


def _item(incident: Incident, number: int) -> ChecklistItem:
    return incident.checklist.get(key=f"matrix:{number}")


def _section(page: str, start: str, end: str) -> str:
    """Return the part of the page from one marker to the next."""
    begin = page.index(start)
    stop = page.find(end, begin + len(start))
    return page[begin : stop if stop != -1 else len(page)]


def _item_html(page: str, item: ChecklistItem) -> str:
    return _section(page, f'id="item-{item.pk}"', '<li class="check-item')


def _opened(client: Client, item: ChecklistItem, query: str = "") -> str:
    """Return the part the checklist page loads when the item is opened."""
    url = reverse(
        "incidents:checklist_item", kwargs={"incident_id": item.incident_id, "item_id": item.pk}
    )
    response = client.get(f"{url}?{query}" if query else url, headers={FRAGMENT_HEADER: "1"})
    assert response.status_code == 200
    return response.text


def _done(**changes: str) -> dict[str, str]:
    data = {
        "performed_at": "2026-11-20T10:15",
        "scope": "PC-023（経理部）",
        "settings": "検体を USB メモリに退避し、ハッシュ値を記録",
        "note": "削除はしていない",
        "filters": "phase=initial",
    }
    data.update(changes)
    return data


# --- what the page shows --------------------------------------------------------------


def test_the_page_lists_items_50_and_51_of_a_ransomware_incident_in_the_initial_phase(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = responder_client.get(url_of("checklist"))
    page = response.text

    assert response.status_code == 200
    initial = _section(page, 'id="phase-initial"', 'class="checklist-phase"')
    for number, title in (
        (50, "ランサムウェア:タイプの確認"),
        (51, "ランサムウェア:感染端末の確認"),
    ):
        item = _item_html(initial, _item(incident, number))
        assert f"No.{number}" in item and title in item
        assert 'class="req req-required"' in item
    # Grouped by target, named in the reader's language.
    assert "<h3>クライアント機器</h3>" in initial
    # The two rules of the matrix head the page, with progress and the next required steps.
    assert "実施日時、範囲、設定内容の記録を行ってください" in page
    assert "時系列に状況を整理してください" in page
    assert f'href="{url_of("checklist")}#phase-initial">初動対応</a>' in page
    assert page.count(f'<li><a href="{url_of("checklist")}#item-') == 5


def test_items_show_their_condition_steps_references_and_log_checks(
    lead_client: Client, lead: User
) -> None:
    apt = open_incident(
        lead, IncidentInput(title="標的型攻撃", detected_at=timezone.now(), types=["apt"])
    )
    page = lead_client.get(reverse("incidents:checklist", kwargs={"incident_id": apt.pk})).text

    beaconing = _opened(lead_client, _item(apt, 8))
    assert "ログ分析で確認予定: proxy.beaconing — ログ分析機能で結果が表示されます" in beaconing
    assert '<section class="check-steps"' in beaconing and "<li>" in beaconing
    assert 'class="req req-conditional"' in _item_html(page, _item(apt, 5))
    assert "対象となる条件" in _opened(lead_client, _item(apt, 5))
    references = [item for item in apt.checklist.all() if "https://" in _opened(lead_client, item)]
    assert references
    assert re.search(
        r'<a href="https://[^"]+" rel="noopener noreferrer"', _opened(lead_client, references[0])
    )
    assert "IPA手引き" in page and "対応フロー" in page


def test_guidance_text_follows_the_chosen_language(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = lead_client.get(url_of("checklist")).text
    assert "Ransomware: identify the type" in page
    assert "<h3>Client devices</h3>" in page
    assert "record when it was carried out" in page


def test_filters_narrow_the_items_and_stay_in_the_form(
    lead_client: Client, responder: User, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item_50, item_51 = _item(incident, 50), _item(incident, 51)
    assign(lead, incident.pk, item_51.pk, responder)
    url = url_of("checklist")

    by_phase = lead_client.get(url, {"phase": "scope"}).text
    by_group = lead_client.get(url, {"group": "client", "phase": "initial"}).text
    unassigned = lead_client.get(url, {"assignee": "unassigned", "group": "client"}).text
    by_person = lead_client.get(url, {"assignee": responder.username}).text
    conditional = lead_client.get(url, {"requirement": "conditional"}).text

    assert f'id="item-{item_50.pk}"' not in by_phase
    assert '<option value="scope" selected>' in by_phase
    assert f'id="item-{item_50.pk}"' in by_group and f'id="item-{item_51.pk}"' in by_group
    assert 'id="phase-scope"' not in by_group
    assert f'id="item-{item_50.pk}"' in unassigned and f'id="item-{item_51.pk}"' not in unassigned
    assert f'id="item-{item_51.pk}"' in by_person and f'id="item-{item_50.pk}"' not in by_person
    assert f'id="item-{item_50.pk}"' not in conditional
    # An item's link keeps the filters, for the way back from its page.
    assert f'href="{url}{item_50.pk}/?phase=initial&amp;group=client"' in by_group


def test_mine_shows_the_items_assigned_to_the_reader(
    responder_client: Client, responder: User, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 51)
    assign(lead, incident.pk, item.pk, responder)
    page = responder_client.get(url_of("checklist"), {"assignee": "mine"}).text
    assert page.count('<li class="check-item') == 1 and f'id="item-{item.pk}"' in page


def test_status_filter_open_leaves_out_closed_items(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 50)
    mark_done(lead, incident.pk, item.pk, performed_at=timezone.now(), scope="PC", settings="x")
    open_items = lead_client.get(url_of("checklist"), {"status": "open"}).text
    done_items = lead_client.get(url_of("checklist"), {"status": "done"}).text
    assert f'id="item-{item.pk}"' not in open_items
    assert done_items.count('<li class="check-item') == 1


# --- marking done ------------------------------------------------------------------------


def test_done_without_a_scope_is_refused_on_the_scope_field_in_japanese(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    before = ActionRecord.objects.filter(incident=incident).count()

    response = responder_client.post(url_of("checklist_done", item_id=item.pk), _done(scope=""))

    page = response.text
    assert response.status_code == 400
    form = _item_html(page, item)
    scope_field = _section(form, 'class="field field-scope', 'class="field field-settings')
    assert f'<p class="error">{SCOPE_MISSING_JA}</p>' in scope_field
    assert "autofocus" in scope_field
    # The item's own page answers: what was typed is kept, the form is open, and the
    # checklist's filters are kept for the way back.
    assert "<h1>" in page and "マルウェアは削除せず隔離" in page
    assert "検体を USB メモリに退避し、ハッシュ値を記録" in form
    assert 'value="2026-11-20T10:15"' in form
    assert '<details class="check-action" open>' in form
    assert '<input type="hidden" name="filters" value="phase=initial">' in form
    assert f'href="{url_of("checklist")}?phase=initial#item-{item.pk}"' in page
    assert ActionRecord.objects.filter(incident=incident).count() == before
    assert ChecklistItem.objects.get(pk=item.pk).status == ItemStatus.TODO


def test_done_without_a_scope_is_refused_in_english_when_english_is_chosen(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    responder_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    item = _item(incident, 28)
    response = responder_client.post(url_of("checklist_done", item_id=item.pk), _done(scope=" "))
    assert response.status_code == 400
    assert f'<p class="error">{SCOPE_MISSING_EN}</p>' in response.text


def test_done_without_a_time_or_settings_names_that_field(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    url = url_of("checklist_done", item_id=item.pk)
    no_time = responder_client.post(url, _done(performed_at="")).text
    no_settings = responder_client.post(url, _done(settings="")).text
    assert "いつ実施したか（実施日時）を入力してください。" in no_time
    assert "何をどのように設定・実施したか（設定内容）を入力してください。" in no_settings


def test_done_with_time_scope_and_settings_creates_the_action_shown_on_the_timeline(
    responder_client: Client, responder: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)

    response = responder_client.post(url_of("checklist_done", item_id=item.pk), _done())

    assert response.status_code == 302
    assert response["Location"] == url_of("checklist") + f"?phase=initial#item-{item.pk}"
    done = ChecklistItem.objects.get(pk=item.pk)
    assert done.status == ItemStatus.DONE
    assert done.performed_at == datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO)
    record = ActionRecord.objects.get(incident=incident, kind="checklist.done")
    assert (record.scope, record.actor, record.checklist_item_ref) == (
        "PC-023（経理部）",
        responder,
        "matrix:28",
    )
    assert "マルウェアは削除せず隔離" in record.what

    checklist = responder_client.get(url_of("checklist")).text
    row = _item_html(checklist, item)
    assert "完了 2026-11-20 10:15:00(responder)" in row
    shown = _opened(responder_client, item)
    assert "2026-11-20 10:15:00" in shown and "PC-023（経理部）" in shown
    assert "削除はしていない" in shown and "responder" in shown
    assert f"{url_of('detail')}?timeline_action={record.pk}#timeline-action-{record.pk}" in shown
    timeline = _section(responder_client.get(url_of("detail")).text, 'id="timeline"', "</table>")
    assert f'id="timeline-action-{record.pk}"' in timeline
    assert record.what in timeline and "PC-023（経理部）" in timeline


def test_not_applicable_needs_a_reason(
    responder_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 50)
    url = url_of("checklist_not_applicable", item_id=item.pk)

    refused = responder_client.post(url, {"reason": "  "})
    accepted = responder_client.post(url, {"reason": "暗号化の被害はない"})

    assert refused.status_code == 400
    reason_field = _section(_item_html(refused.text, item), "field-reason", "</div>")
    assert "この項目が対象外である理由を入力してください。" in reason_field
    assert accepted.status_code == 302
    stored = ChecklistItem.objects.get(pk=item.pk)
    assert (stored.status, stored.not_applicable_reason) == (
        ItemStatus.NOT_APPLICABLE,
        "暗号化の被害はない",
    )
    row = _item_html(responder_client.get(url_of("checklist")).text, item)
    assert "対象外" in row
    assert "暗号化の被害はない" in _opened(responder_client, item)


def test_start_reopen_assign_and_comment(
    lead_client: Client, lead: User, responder: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 51)

    lead_client.post(url_of("checklist_start", item_id=item.pk))
    assert ChecklistItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS
    lead_client.post(url_of("checklist_assign", item_id=item.pk), {"assignee": responder.pk})
    assert ChecklistItem.objects.get(pk=item.pk).assignee == responder
    lead_client.post(
        url_of("checklist_comment", item_id=item.pk), {"text": "共有フォルダの所有者を確認中"}
    )
    mark_done(lead, incident.pk, item.pk, performed_at=timezone.now(), scope="FS01", settings="x")
    lead_client.post(url_of("checklist_reopen", item_id=item.pk))

    stored = ChecklistItem.objects.get(pk=item.pk)
    assert stored.status == ItemStatus.IN_PROGRESS
    row = _item_html(lead_client.get(url_of("checklist")).text, item)
    assert "responder" in row and "コメント 1 件" in row
    assert "共有フォルダの所有者を確認中" not in row  # loaded when the item is opened
    opened = _opened(lead_client, item)
    assert "共有フォルダの所有者を確認中" in opened
    assert f'<option value="{responder.pk}" selected>' in opened


def test_only_leads_and_responders_can_be_assigned(
    lead_client: Client, viewer: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 51)
    response = lead_client.post(
        url_of("checklist_assign", item_id=item.pk), {"assignee": viewer.pk}
    )
    assert response.status_code == 400
    assert ChecklistItem.objects.get(pk=item.pk).assignee is None


def test_an_empty_comment_is_refused_on_its_field(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 51)
    response = lead_client.post(url_of("checklist_comment", item_id=item.pk), {"text": ""})
    assert response.status_code == 400
    assert "コメントを入力してください。" in _item_html(response.text, item)


# --- who may do what ----------------------------------------------------------------------


def test_a_viewer_sees_the_items_but_no_forms_and_cannot_post(
    viewer_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    page = viewer_client.get(url_of("checklist")).text

    assert "マルウェアは削除せず隔離" in page
    assert '<form method="post"' not in page.split("</header>", 1)[1]
    opened = _opened(viewer_client, item)
    assert "手順" in opened and '<form method="post"' not in opened
    item_page = viewer_client.get(url_of("checklist_item", item_id=item.pk)).text
    assert '<form method="post"' not in item_page.split("</header>", 1)[1]
    for name in (
        "checklist_start",
        "checklist_reopen",
        "checklist_done",
        "checklist_not_applicable",
        "checklist_assign",
        "checklist_comment",
    ):
        assert viewer_client.post(url_of(name, item_id=item.pk), _done()).status_code == 403, name
    assert ChecklistItem.objects.get(pk=item.pk).status == ItemStatus.TODO


def test_an_item_of_another_incident_is_not_found_here(
    lead_client: Client, lead: User, url_of: IncidentUrl
) -> None:
    elsewhere = open_incident(
        lead, IncidentInput(title="別件", detected_at=timezone.now(), types=["ransomware"])
    )
    foreign = _item(elsewhere, 28)
    response = lead_client.post(url_of("checklist_done", item_id=foreign.pk), _done())
    assert response.status_code == 404
    assert ChecklistItem.objects.get(pk=foreign.pk).status == ItemStatus.TODO


def test_item_routes_answer_only_posts(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    assert lead_client.get(url_of("checklist_done", item_id=item.pk)).status_code == 405


# --- regeneration and efficiency ----------------------------------------------------------


def test_changing_the_types_in_the_intake_form_keeps_the_work_done(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item_50 = _item(incident, 50)
    mark_done(
        lead, incident.pk, item_50.pk, performed_at=timezone.now(), scope="PC-023", settings="x"
    )
    untouched_51 = _item(incident, 51)

    response = lead_client.post(
        url_of("edit"),
        {
            "title": incident.title,
            "types": ["apt"],
            "detected_at": "2026-11-20T09:30",
            "estimated_start_precision": "about",
            "time_zone": "Asia/Tokyo",
            "version": incident.version,
        },
    )

    assert response.status_code == 302
    kept = ChecklistItem.objects.get(pk=item_50.pk)
    assert (kept.status, kept.applies, kept.scope) == (ItemStatus.DONE, False, "PC-023")
    assert not ChecklistItem.objects.filter(pk=untouched_51.pk).exists()
    page = lead_client.get(url_of("checklist")).text
    retired = _section(page, 'id="no-longer-applies"', "</section>")
    assert f'id="item-{item_50.pk}"' in retired
    assert "ランサムウェア:タイプの確認" in retired
    assert "PC-023" in _opened(lead_client, kept)
    assert f'id="item-{item_50.pk}"' not in page.split('id="no-longer-applies"')[0]
    assert page.count(" is-retired") == 1  # only the retired item is greyed out


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_does_not_query_per_item_comment_or_assignee(
    lead_client: Client, lead: User, responder: User, outsider: User
) -> None:
    small = open_incident(
        lead, IncidentInput(title="小", detected_at=timezone.now(), types=["system_outage"])
    )
    large = open_incident(
        lead,
        IncidentInput(
            title="大",
            detected_at=timezone.now(),
            types=["apt", "ransomware", "insider", "information_leak", "account_takeover"],
        ),
    )
    for opened in (small, large):
        set_membership(lead, opened.pk, responder, Role.RESPONDER)
    items = list(large.checklist.all()[:12])
    for n, item in enumerate(items):
        assign(lead, large.pk, item.pk, responder if n % 2 else lead)
        add_comment(lead, large.pk, item.pk, f"メモ {n}")
        if n % 3 == 0:
            mark_done(lead, large.pk, item.pk, performed_at=timezone.now(), scope="s", settings="x")
    assert large.checklist.count() > 3 * small.checklist.count() > 0

    def url(incident: Incident) -> str:
        return reverse("incidents:checklist", kwargs={"incident_id": incident.pk})

    assert _queries(lead_client, url(large)) == _queries(lead_client, url(small))


def test_the_item_addresses_built_for_the_page_match_the_url_configuration(
    incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    built = item_urls(url_of("checklist"), item.pk)
    for action in ITEM_ROUTES:
        assert built[action] == url_of(f"checklist_{action}", item_id=item.pk), action


# --- an item opened: its own page, or the fragment the list loads -------------------------


def test_the_list_keeps_steps_comments_and_forms_for_when_an_item_is_opened(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    add_comment(lead, incident.pk, item.pk, "隔離フォルダの場所を共有済み")
    page = lead_client.get(url_of("checklist")).text
    row = _item_html(page, item)

    assert "<details><summary>" in row and "コメント 1 件" in row
    assert f'<a href="{url_of("checklist_item", item_id=item.pk)}">' in row
    assert '<form method="post"' not in page.split("</header>", 1)[1]
    assert "隔離フォルダの場所を共有済み" not in page
    assert '<script src="/static/hikeshi/checklist.js" defer></script>' in page
    opened = _opened(lead_client, item)
    assert "<html" not in opened and "隔離フォルダの場所を共有済み" in opened
    assert '<section class="check-steps"' in opened
    assert opened.count('<form method="post"') == 5  # start, done, n/a, assign, comment


def test_the_item_page_is_a_whole_page_and_the_fragment_only_its_part(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    item = _item(incident, 28)
    url = url_of("checklist_item", item_id=item.pk)

    whole = lead_client.get(url)
    part = lead_client.get(url, headers={FRAGMENT_HEADER: "1"})

    assert whole.status_code == part.status_code == 200
    assert "<html" in whole.text and "<h1>" in whole.text
    assert f'id="item-{item.pk}"' in whole.text
    assert "<html" not in part.text and f'id="item-{item.pk}-detail"' in part.text
    assert FRAGMENT_HEADER in whole["Vary"] and FRAGMENT_HEADER in part["Vary"]
    assert lead_client.post(url).status_code == 405


def test_an_item_is_opened_only_within_its_incident_and_by_its_members(
    lead_client: Client, outsider: User, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    elsewhere = open_incident(
        lead, IncidentInput(title="別件", detected_at=timezone.now(), types=["ransomware"])
    )
    foreign = _item(elsewhere, 28)
    outsider_client = Client()
    outsider_client.force_login(outsider)
    own = url_of("checklist_item", item_id=_item(incident, 28).pk)

    assert lead_client.get(url_of("checklist_item", item_id=foreign.pk)).status_code == 404
    assert outsider_client.get(own).status_code == 404
    assert outsider_client.get(own, headers={FRAGMENT_HEADER: "1"}).status_code == 404


def test_the_largest_checklist_page_stays_under_150_kb(
    lead_client: Client, lead: User, responder: User
) -> None:
    every_type = open_incident(
        lead,
        IncidentInput(title="全種別", detected_at=timezone.now(), types=list(IncidentType.values)),
    )
    set_membership(lead, every_type.pk, responder, Role.RESPONDER)
    items = list(every_type.checklist.all())
    # The heaviest list: every item assigned and done (one more line each), many commented.
    for n, item in enumerate(items):
        assign(lead, every_type.pk, item.pk, responder if n % 2 else lead)
        if n < 40:
            add_comment(lead, every_type.pk, item.pk, f"確認中のメモ {n}" * 5)
        mark_done(
            lead,
            every_type.pk,
            item.pk,
            performed_at=timezone.now(),
            scope="FS01, PC-023",
            settings="隔離フォルダへ移動",
        )

    response = lead_client.get(
        reverse("incidents:checklist", kwargs={"incident_id": every_type.pk})
    )

    assert response.status_code == 200
    assert len(items) > 150
    assert response.text.count('<li class="check-item') == len(items)
    assert len(response.content) < 150 * 1024, len(response.content)
