"""The timeline through the API: events and actions in one list; CSV and JSON Lines export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from tests.api.conftest import ApiClient, error_locations

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline_export import EXPORT_FIELDS

FIRST_ENCRYPTION = {
    "occurred_at": "2026-11-20T08:55:00+09:00",
    "description": "最初の暗号化ファイルの更新時刻",
    "source": "fs01 のファイル属性",
    "device": "fs01",
}


def content(response: HttpResponse) -> str:
    return response.getvalue().decode()


def test_adding_an_event_places_it_on_the_timeline(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)

    response = client.post(f"/incidents/{incident.pk}/timeline", FIRST_ENCRYPTION)

    assert response.status_code == 201, response.content
    assert response.json()["occurred_at"] == "2026-11-19T23:55:00+00:00"
    entries = client.get(f"/incidents/{incident.pk}/timeline").json()["items"]
    events = [e for e in entries if e["entry_type"] == "event"]
    assert [(e["description"], e["device"]) for e in events] == [
        ("最初の暗号化ファイルの更新時刻", "fs01")
    ]
    # Before every recorded action, which all happened later.
    assert entries[0]["entry_type"] == "event"


def test_adding_an_event_is_itself_recorded(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    client.post(f"/incidents/{incident.pk}/timeline", FIRST_ENCRYPTION)

    last = client.get(f"/incidents/{incident.pk}/actions").json()["items"][-1]

    assert last["kind"] == "timeline.event_added"


def test_timeline_actions_carry_their_hash_and_id(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    entries = api_as(viewer).get(f"/incidents/{incident.pk}/timeline").json()["items"]

    actions = [e for e in entries if e["entry_type"] == "action"]
    assert len(actions) == incident.audit_length
    assert all(len(e["record_hash"]) == 64 and e["action_id"] for e in actions)


def test_an_event_time_without_an_offset_is_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/timeline", {**FIRST_ENCRYPTION, "occurred_at": "2026-11-20"}
    )

    assert error_locations(response) == [["body", "occurred_at"]]


def test_the_csv_export_has_timesketch_columns(
    api_as: Callable[[User], ApiClient], viewer: User, lead: User, incident: Incident
) -> None:
    api_as(lead).post(f"/incidents/{incident.pk}/timeline", FIRST_ENCRYPTION)

    response = api_as(viewer).get(f"/incidents/{incident.pk}/timeline/export", format="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"incident-{incident.pk}-timeline.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(content(response))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert rows[0]["message"] == "最初の暗号化ファイルの更新時刻"
    assert len(rows) == 1 + Incident.objects.get(pk=incident.pk).audit_length


def test_csv_is_the_default_export(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).get(f"/incidents/{incident.pk}/timeline/export")

    assert response["Content-Type"].startswith("text/csv")


def test_the_jsonl_export_has_one_object_per_line(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    api_as(lead).post(f"/incidents/{incident.pk}/timeline", FIRST_ENCRYPTION)

    response = api_as(lead).get(f"/incidents/{incident.pk}/timeline/export", format="jsonl")

    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in content(response).splitlines()]
    assert set(lines[0]) == set(EXPORT_FIELDS)
    assert lines[0]["datetime"] == "2026-11-19T23:55:00+00:00"
    assert len(lines) == 1 + Incident.objects.get(pk=incident.pk).audit_length


def test_an_unknown_export_format_is_named(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).get(f"/incidents/{incident.pk}/timeline/export", format="xlsx")

    assert error_locations(response) == [["query", "format"]]


def test_the_timeline_comes_a_page_at_a_time_by_cursor(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    for minute in range(5):
        client.post(
            f"/incidents/{incident.pk}/timeline",
            {**FIRST_ENCRYPTION, "occurred_at": f"2026-11-20T08:5{minute}:00+09:00"},
        )
    whole = client.get(f"/incidents/{incident.pk}/timeline").json()
    pages = []
    cursor = None
    while len(pages) < 10:
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        pages.append(client.get(f"/incidents/{incident.pk}/timeline", **query).json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            break

    total = 5 + Incident.objects.get().audit_length
    assert len(whole["items"]) == total and whole["next_cursor"] is None
    assert [e for page in pages for e in page["items"]] == whole["items"]
    assert [len(page["items"]) for page in pages] == [4, 4, 4, total - 12]
    assert all(e["event_id"] for e in whole["items"] if e["entry_type"] == "event")


def test_the_page_after_the_last_entry_is_empty(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    client = api_as(viewer)
    total = incident.audit_length
    last_but_one = client.get(f"/incidents/{incident.pk}/timeline", limit=total - 1).json()
    last = client.get(
        f"/incidents/{incident.pk}/timeline", limit=1, cursor=last_but_one["next_cursor"]
    ).json()

    assert len(last["items"]) == 1 and last["next_cursor"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("limit", 1001), ("limit", 0), ("cursor", "bm90IGEgY3Vyc29y"), ("cursor", "%%")],
)
def test_a_page_size_out_of_bounds_or_a_made_up_cursor_is_refused(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident, name: str, value: object
) -> None:
    response = api_as(viewer).get(f"/incidents/{incident.pk}/timeline", **{name: value})

    assert error_locations(response) == [["query", name]]


def test_the_export_takes_excel_and_local_time_options(
    api_as: Callable[[User], ApiClient], viewer: User, lead: User, incident: Incident
) -> None:
    api_as(lead).post(
        f"/incidents/{incident.pk}/timeline", {**FIRST_ENCRYPTION, "description": "=1+1"}
    )

    response = api_as(viewer).get(
        f"/incidents/{incident.pk}/timeline/export", format="csv", bom="true", local_time="true"
    )

    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == (*EXPORT_FIELDS, "local_datetime", "time_zone")
    assert rows[0]["message"] == "'=1+1"
    assert rows[0]["local_datetime"] == "2026-11-20T08:55:00+09:00"
    jsonl = api_as(viewer).get(
        f"/incidents/{incident.pk}/timeline/export", format="jsonl", bom="true"
    )
    assert json.loads(content(jsonl).splitlines()[0])["message"] == "=1+1"


def _import(
    client: ApiClient, incident: Incident, name: str, data: bytes, *, wait: bool = True
) -> HttpResponse:
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    query = "?wait=true" if wait else ""
    return client.client.post(
        f"/api/v1/incidents/{incident.pk}/timeline/import{query}", {"file": upload}
    )


def test_a_csv_file_is_imported_with_its_rejected_rows(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    data = "日時,内容,機器\n2026/12/02 10:45,検知,PC-01\n2024-02-30,ありえない日,PC-01\n"

    response = _import(api_as(responder), incident, "edr.csv", data.encode("cp932"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["rejected_count"], body["rows"]) == (1, 1, 2)
    assert body["encoding"] == "cp932"
    assert body["sha256"] == hashlib.sha256(data.encode("cp932")).hexdigest()
    assert body["rejected"] == [
        {
            "line": 3,
            "last_line": 3,
            "column": "日時",
            "reason": "no such date or time (check the day, hour and offset)",
        }
    ]


def test_a_file_that_cannot_be_imported_answers_422_naming_it(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    response = _import(api_as(responder), incident, "dump.bin", "a,b\n".encode("utf-16"))

    assert error_locations(response) == [["body", "file"]]
    assert response.json()["detail"][0]["msg"].startswith("dump.bin: the file is UTF-16")
    assert not incident.events.exists()


def test_a_viewer_cannot_import_and_an_outsider_sees_nothing(
    api_as: Callable[[User], ApiClient], viewer: User, outsider: User, incident: Incident
) -> None:
    data = b"datetime,message\n2026-11-20,x\n"

    assert _import(api_as(viewer), incident, "t.csv", data).status_code == 403
    assert _import(api_as(outsider), incident, "t.csv", data).status_code == 404
    assert not incident.events.exists()


def test_by_default_the_import_is_a_job_to_poll(
    api_as: Callable[[User], ApiClient], responder: User, outsider: User, incident: Incident
) -> None:
    from hikeshi.jobs import runner

    data = b"datetime,message\n2026-11-20T09:00:00,x\nnot a time,y\n"
    client = api_as(responder)

    response = _import(client, incident, "bg.csv", data, wait=False)

    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["state"] == "queued" and not incident.events.exists()
    status_url = accepted["status_url"]
    assert status_url == f"/api/v1/incidents/{incident.pk}/jobs/{accepted['job_id']}"
    queued = client.client.get(status_url).json()
    assert (queued["kind"], queued["active"], queued["unit"]) == ("timeline_import", True, "bytes")
    runner.execute(accepted["job_id"])
    done = client.client.get(status_url).json()
    assert (done["state"], done["active"], done["done"], done["total"]) == (
        "done",
        False,
        len(data),
        len(data),
    )
    assert (done["result"]["imported"], done["result"]["rejected"]) == (1, 1)
    assert done["result"]["report"]["rejected_rows"][0]["line"] == 3
    assert incident.events.count() == 1
    assert api_as(outsider).client.get(status_url).status_code == 404


def test_a_background_import_of_a_bad_file_fails_naming_why(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    from hikeshi.jobs import runner

    client = api_as(responder)
    accepted = _import(client, incident, "dump.bin", "a,b\n".encode("utf-16"), wait=False).json()
    runner.execute(accepted["job_id"])

    failed = client.client.get(accepted["status_url"]).json()

    assert failed["state"] == "failed"
    assert failed["message"].startswith("the file is UTF-16")
