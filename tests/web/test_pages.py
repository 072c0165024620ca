"""The incident pages, driven through Django's test client against the real database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hikeshi.accounts.models import Preference
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.incidents import (
    IncidentInput,
    TriageInput,
    change_status,
    open_incident,
    triage,
)
from hikeshi.incidents.vocabulary import Level, Priority, Status

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)
TOKYO = ZoneInfo("Asia/Tokyo")
CONFLICT_JA = (
    "この案件は他の利用者によって更新されました。"
    "最新の内容を確認してから、もう一度操作してください。"
)


def _intake(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "経理部PCからの不審な通信",
        "types": ["virus_infection", "information_leak"],
        "organisation": "株式会社サンプル",
        "detected_at": "2026-11-20T09:30",
        "estimated_start": "2026-11-19T22:00",
        "estimated_start_precision": "about",
        "reporter": "情報システム部 佐藤",
        "reporter_contact": "03-0000-0000",
        "what_happened": "プロキシログに未知の宛先への定期通信",
        "time_zone": "Asia/Tokyo",
    }
    data.update(changes)
    return data


# --- the list -------------------------------------------------------------------------


def test_list_shows_the_users_incidents_most_urgent_first(
    lead_client: Client, lead: User, outsider: User, incident: Incident
) -> None:
    urgent = open_incident(
        lead,
        IncidentInput(title="基幹サーバ停止", detected_at=timezone.now(), types=["system_outage"]),
    )
    triage(lead, urgent.pk, urgent.version, TriageInput(True, Level.HIGH, Level.HIGH))
    open_incident(outsider, IncidentInput(title="他社の案件", detected_at=timezone.now()))

    page = lead_client.get(reverse("incidents:list")).text

    assert page.index("基幹サーバ停止") < page.index(incident.title)
    assert "他社の案件" not in page
    assert "2026-11-20 09:30" in page  # detected at, in the incident's zone


def test_list_filters_by_status_type_and_priority_and_keeps_them_in_the_form(
    lead_client: Client, lead: User, incident: Incident
) -> None:
    other = open_incident(
        lead,
        IncidentInput(
            title="取引先を装う不審メール", detected_at=timezone.now(), types=["spoofed_email"]
        ),
    )
    triage(lead, other.pk, other.version, TriageInput(True, Level.LOW, Level.LOW))
    list_url = reverse("incidents:list")

    by_type = lead_client.get(list_url, {"type": "ransomware"}).text
    by_status = lead_client.get(list_url, {"status": Status.RESPONSE}).text
    by_priority = lead_client.get(list_url, {"priority": Priority.LOW}).text

    assert incident.title in by_type and "取引先を装う不審メール" not in by_type
    assert '<option value="ransomware" selected>' in by_type
    assert "取引先を装う不審メール" in by_status and incident.title not in by_status
    assert f'<option value="{Status.RESPONSE}" selected>' in by_status
    assert "取引先を装う不審メール" in by_priority and incident.title not in by_priority


def test_list_marks_demo_incidents(lead_client: Client, lead: User) -> None:
    open_incident(lead, IncidentInput(title="デモ案件", detected_at=timezone.now()), is_demo=True)
    page = lead_client.get(reverse("incidents:list")).text
    assert 'class="badge-demo"' in page


# --- intake ---------------------------------------------------------------------------


def test_intake_form_opens_the_incident_and_redirects_to_its_page(
    lead_client: Client, lead: User
) -> None:
    response = lead_client.post(
        reverse("incidents:new"), _intake(time_zone="Europe/London", detected_at="2026-11-20T09:30")
    )

    created = Incident.objects.get(title="経理部PCからの不審な通信")
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", kwargs={"incident_id": created.pk})
    # The typed time is read in the chosen zone, not the server's.
    assert created.detected_at == datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    assert created.estimated_start_precision == "about"
    assert sorted(created.types) == ["information_leak", "virus_infection"]
    assert created.memberships.get().user == lead


def test_edit_form_shows_the_record_in_the_incidents_time_zone(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    page = lead_client.get(url_of("edit")).text
    assert 'value="2026-11-20T09:30"' in page
    assert f'name="version" value="{incident.version}"' in page


def test_form_errors_name_the_field_in_japanese(lead_client: Client) -> None:
    response = lead_client.post(reverse("incidents:new"), _intake(title="", detected_at=""))
    page = response.text
    assert response.status_code == 400
    assert "件名</a>: このフィールドは必須です。" in page
    assert "発覚日時</a>: このフィールドは必須です。" in page


def test_form_errors_name_the_field_in_english(lead_client: Client) -> None:
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = lead_client.post(reverse("incidents:new"), _intake(title="", detected_at="")).text
    assert "Title</a>: This field is required." in page
    assert "Detected / received at (発覚日時)</a>: This field is required." in page


# --- triage, status and conflicts ------------------------------------------------------


def test_triage_form_records_the_decision_and_shows_the_derived_priority(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("triage"),
        {"version": incident.version, "is_incident": "yes", "urgency": "3", "impact": "2"},
        follow=True,
    )
    incident.refresh_from_db()
    assert incident.priority == Priority.HIGH
    assert incident.status == Status.RESPONSE
    assert "P2 高" in response.text


def test_triage_as_not_an_incident_needs_a_reason_shown_on_that_field(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("triage"), {"version": incident.version, "is_incident": "no"}
    )
    assert response.status_code == 400
    assert (
        "インシデントではない理由</a>: インシデントではない理由を入力してください。"
        in response.text
    )
    assert Incident.objects.get(pk=incident.pk).is_incident is None


def test_stale_triage_shows_the_conflict_message_and_changes_nothing(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    stale = incident.version
    moved = change_status(lead, incident.pk, stale, Status.TRIAGE)

    response = lead_client.post(
        url_of("triage"), {"version": stale, "is_incident": "yes", "urgency": "3", "impact": "3"}
    )

    page = response.text
    assert response.status_code == 409
    assert CONFLICT_JA in page
    assert f'name="version" value="{moved.version}"' in page  # ready to retry after checking
    current = Incident.objects.get(pk=incident.pk)
    assert current.priority == Priority.UNTRIAGED
    assert current.version == moved.version


def test_stale_intake_edit_shows_the_conflict_message_and_the_current_record(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    stale = incident.version
    change_status(lead, incident.pk, stale, Status.TRIAGE)

    response = lead_client.post(
        url_of("edit"), _intake(title="上書きされるべきでない", version=stale)
    )

    assert response.status_code == 409
    assert CONFLICT_JA in response.text
    assert Incident.objects.get(pk=incident.pk).title == incident.title


def test_stale_status_change_shows_the_conflict_message_and_changes_nothing(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    stale = incident.version
    change_status(lead, incident.pk, stale, Status.TRIAGE)

    response = lead_client.post(url_of("status"), {"version": stale, "status": Status.DETECTED})

    assert response.status_code == 409
    assert CONFLICT_JA in response.text
    assert Incident.objects.get(pk=incident.pk).status == Status.TRIAGE


def test_status_change_before_triage_is_refused_with_the_reason(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("status"), {"version": incident.version, "status": Status.RESPONSE}
    )
    assert response.status_code == 400
    assert "先にトリアージをしてください。" in response.text


def test_an_outsider_sees_the_same_not_found_page_as_for_a_missing_incident(
    outsider: User, url_of: IncidentUrl
) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.get(url_of("detail"))
    assert response.status_code == 404
    assert "ページが存在しないか、この案件のメンバーではありません。" in response.text


def test_viewer_cannot_post_changes(
    viewer_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    posts = {
        "triage": {"version": incident.version, "is_incident": "yes"},
        "status": {"version": incident.version, "status": Status.TRIAGE},
        "actions": {"what": "閲覧者の記録"},
        "add_event": {"occurred_at": "2026-11-20T09:00", "description": "x"},
        "edit": _intake(version=incident.version),
    }
    for name, data in posts.items():
        assert viewer_client.post(url_of(name), data).status_code == 403, name
    page = viewer_client.get(url_of("detail")).text
    assert 'action="' + url_of("triage") not in page  # no forms for a viewer
    assert Incident.objects.get(pk=incident.pk).version == incident.version


# --- actions ---------------------------------------------------------------------------


def test_recording_an_action_appends_a_record_with_scope_and_settings(
    responder_client: Client, responder: User, incident: Incident, url_of: IncidentUrl
) -> None:
    response = responder_client.post(
        url_of("actions"),
        {
            "what": "感染端末をネットワークから隔離",
            "performed_at": "2026-11-20T10:15",
            "scope": "PC-023",
            "settings": "スイッチポート Gi0/23 を shutdown",
        },
        follow=True,
    )

    record = ActionRecord.objects.filter(incident=incident).order_by("-sequence").first()
    assert record is not None
    assert (record.what, record.scope, record.actor) == (
        "感染端末をネットワークから隔離",
        "PC-023",
        responder,
    )
    assert record.performed_at == datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO)
    page = response.text
    assert record.record_hash[:12] in page
    assert "2026-11-20 10:15:00" in page


def test_an_action_in_the_future_is_refused_on_its_field(
    lead_client: Client, url_of: IncidentUrl
) -> None:
    later = (timezone.now() + timedelta(days=2)).astimezone(TOKYO)
    response = lead_client.post(
        url_of("actions"), {"what": "x", "performed_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert "実施日時</a>: 未来の日時を実施日時にすることはできません。" in response.text


def test_correcting_an_action_appends_a_new_record_pointing_at_the_original(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    original = ActionRecord.objects.filter(incident=incident).order_by("sequence").first()
    assert original is not None
    form = lead_client.get(url_of("correct_action", action_id=original.pk))
    assert form.status_code == 200
    assert original.what in form.text

    lead_client.post(
        url_of("correct_action", action_id=original.pk),
        {"what": "インシデントを起票（件名を訂正）", "note": "件名の誤記"},
    )

    correction = ActionRecord.objects.filter(incident=incident).order_by("-sequence").first()
    assert correction is not None and correction.pk != original.pk
    assert correction.corrects == original
    assert correction.kind == "correction"
    unchanged = ActionRecord.objects.get(pk=original.pk)
    assert (unchanged.what, unchanged.record_hash) == (original.what, original.record_hash)
    page = lead_client.get(url_of("detail")).text
    assert f"記録 #{original.sequence} の訂正" in page


def test_an_action_of_another_incident_cannot_be_corrected_here(
    lead_client: Client, lead: User, url_of: IncidentUrl
) -> None:
    elsewhere = open_incident(lead, IncidentInput(title="別件", detected_at=timezone.now()))
    foreign = ActionRecord.objects.filter(incident=elsewhere, kind="incident.opened").get()
    assert lead_client.get(url_of("correct_action", action_id=foreign.pk)).status_code == 404


# --- timeline --------------------------------------------------------------------------


def test_adding_an_event_places_it_on_the_timeline_with_its_precision(
    lead_client: Client, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("add_event"),
        {"occurred_at": "2026-11-19T22:00", "precision": "about", "description": "不審メール受信"},
        follow=True,
    )
    page = response.text
    assert "不審メール受信" in page
    assert "2026-11-19 22:00頃" in page


def test_timeline_import_shows_rejected_rows_with_line_numbers(
    lead_client: Client,
    incident: Incident,
    url_of: IncidentUrl,
    import_through_job: Callable[[Client, str, SimpleUploadedFile], HttpResponse],
) -> None:
    csv_text = (
        "datetime,message,device\n"
        "2026-11-20T09:00:00,最初の暗号化,FS01\n"
        "not a time,読めない時刻,FS01\n"
        "2026-11-20,日付だけ,FS01\n"
        "2026-11-20T10:00:00,,FS01\n"
    )
    upload = SimpleUploadedFile("fs01.csv", csv_text.encode(), content_type="text/csv")

    response = import_through_job(lead_client, url_of("import_timeline"), upload)

    page = response.text
    assert response.status_code == 200
    assert "2 行を取り込みました。" in page
    assert "<td>3</td><td>datetime: 日時として読めません（例: 2026/12/02 10:45" in page
    assert "<td>5</td><td>message: 内容が空</td>" in page
    assert incident.events.count() == 2


def test_timeline_exports_are_csv_and_jsonl_attachments(
    viewer_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    csv_response = viewer_client.get(url_of("export_csv"))
    jsonl_response = viewer_client.get(url_of("export_jsonl"))

    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="hikeshi-incident-{incident.pk}-timeline.csv"'
    )
    csv_lines = csv_response.getvalue().decode().splitlines()
    assert csv_lines[0].startswith("message,datetime,timestamp_desc,timestamp")
    assert jsonl_response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert jsonl_response["Content-Disposition"].endswith('timeline.jsonl"')
    rows = [json.loads(line) for line in jsonl_response.getvalue().decode().splitlines()]
    assert rows and all("message" in row and "datetime" in row for row in rows)


# --- language and headers -------------------------------------------------------------


def test_language_preference_switch_persists(lead_client: Client, lead: User) -> None:
    list_url = reverse("incidents:list")
    response = lead_client.post(reverse("language"), {"language": "en", "next": list_url})

    assert response.status_code == 302 and response["Location"] == list_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert Preference.objects.get(user=lead).language == "en"
    # The saved preference wins over the cookie and the browser, in a new session too.
    fresh = Client(headers={"accept-language": "ja"})
    fresh.force_login(lead)
    page = fresh.get(list_url).text
    assert '<html lang="en">' in page and "New incident" in page


def test_language_switch_refuses_to_send_people_elsewhere(lead_client: Client) -> None:
    response = lead_client.post(
        reverse("language"), {"language": "ja", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_language_switch_on_a_page_shown_after_a_post_returns_to_a_page_that_can_be_got(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    refused = lead_client.post(url_of("triage"), {"version": incident.version, "is_incident": "no"})
    panel = url_of("panel", panel_key="triage")
    assert f'name="next" value="{panel}"' in refused.text
    assert lead_client.get(panel).status_code == 200


def test_pages_are_japanese_by_default(client: Client) -> None:
    page = client.get(reverse("login")).text
    assert '<html lang="ja">' in page and "ログイン" in page


def test_security_headers_are_present_and_pages_need_no_inline_code(
    lead_client: Client, url_of: IncidentUrl
) -> None:
    response = lead_client.get(url_of("detail"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = response.text
    # The policy forbids inline code: no style attributes, no inline scripts or handlers.
    assert " style=" not in page and "<style" not in page
    assert "<script>" not in page and " onclick=" not in page


def test_the_list_finds_incidents_by_a_word_of_title_or_organisation(
    lead: User, incident: Incident
) -> None:
    open_incident(
        lead,
        IncidentInput(
            title="VPN 不正ログイン",
            detected_at=datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            organisation="北海物流株式会社",
        ),
    )
    client = Client()
    client.force_login(lead)
    by_client = client.get("/incidents/", {"q": "北海"}).content.decode()
    assert "VPN 不正ログイン" in by_client and incident.title not in by_client
    by_title = client.get("/incidents/", {"q": "ランサムウェア サンプル"}).content.decode()
    assert incident.title in by_title and "VPN 不正ログイン" not in by_title
