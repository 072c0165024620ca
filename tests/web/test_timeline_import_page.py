"""The timeline's import and export on the timeline page: formats, templates, options."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline import add_event

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)
ImportThroughJob = Callable[[Client, str, SimpleUploadedFile], HttpResponse]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_page_lists_the_accepted_columns_and_offers_both_templates(
    lead_client: Client, url_of: IncidentUrl
) -> None:
    page = lead_client.get(url_of("timeline")).text

    assert "取り込める列と日時の書式" in page
    assert "<code>日時</code>" in page and "<code>2026/12/2 9:05</code>" in page
    assert f'href="{url_of("import_template_ja")}"' in page
    assert f'href="{url_of("import_template_en")}"' in page
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Accepted columns and time formats" in lead_client.get(url_of("timeline")).text


def test_the_templates_are_excel_ready_csv_in_each_language(
    viewer_client: Client, url_of: IncidentUrl
) -> None:
    ja = viewer_client.get(url_of("import_template_ja"))
    en = viewer_client.get(url_of("import_template_en"))

    assert ja["Content-Type"] == "text/csv; charset=utf-8"
    assert ja["Content-Disposition"].endswith('timeline-template-ja.csv"')
    assert ja.content.startswith(b"\xef\xbb\xbf")
    assert ja.content.decode("utf-8-sig").splitlines()[0] == "日時,内容,精度,発生源,機器"
    assert (
        en.content.decode("utf-8-sig").splitlines()[0] == "datetime,message,precision,source,device"
    )
    assert viewer_client.post(url_of("import_template_ja")).status_code == 405


def test_a_filled_in_template_imports_every_row(
    lead_client: Client,
    incident: Incident,
    url_of: IncidentUrl,
    import_through_job: ImportThroughJob,
) -> None:
    template = lead_client.get(url_of("import_template_ja")).content
    # Excel saves "CSV (comma delimited)" in Shift_JIS on Japanese Windows.
    as_excel_saves_it = template.decode("utf-8-sig").encode("cp932")

    response = import_through_job(
        lead_client, url_of("import_timeline"), _upload("記入済み.csv", as_excel_saves_it)
    )

    assert response.status_code == 200
    assert "3 行を取り込みました。" in response.text
    assert "0 行を取り込めませんでした。" in response.text
    assert "Shift_JIS (CP932)" in response.text
    assert hashlib.sha256(as_excel_saves_it).hexdigest() in response.text
    assert incident.events.count() == 3


def test_a_file_that_cannot_be_imported_is_named_in_the_reader_language(
    lead_client: Client,
    incident: Incident,
    url_of: IncidentUrl,
    import_through_job: ImportThroughJob,
) -> None:
    content = b'datetime,message\n2026-11-20,"never closed\n2026-11-21,x\n'

    response = import_through_job(
        lead_client, url_of("import_timeline"), _upload("fw.csv", content)
    )

    assert response.status_code == 200
    assert "失敗" in response.text
    assert "fw.csv: 2 行目で開いた引用符" in response.text
    assert "何も取り込まれていません。" in response.text
    assert not incident.events.exists()


def test_rejected_rows_show_their_lines_and_columns(
    lead_client: Client, url_of: IncidentUrl, import_through_job: ImportThroughJob
) -> None:
    content = "日時,内容\n2026/12/02 10:45,検知\n2026-13-45 25:00,ありえない\n".encode()
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = import_through_job(lead_client, url_of("import_timeline"), _upload("t.csv", content))

    assert response.status_code == 200
    assert (
        "<td>3</td><td>日時: no such date or time (check the day, hour and offset)</td>"
        in response.text
    )


def test_a_viewer_cannot_import(viewer_client: Client, url_of: IncidentUrl) -> None:
    response = viewer_client.post(
        url_of("import_timeline"), {"file": _upload("t.csv", b"datetime,message\n")}
    )

    assert response.status_code == 403


def test_the_export_options_are_on_the_page_and_honoured(
    viewer_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    add_event(
        lead,
        incident.pk,
        occurred_at=datetime(2026, 11, 20, 8, 55, tzinfo=ZoneInfo("Asia/Tokyo")),
        description='=HYPERLINK("https://evil.example")',
        device="@PC-01",
    )
    page = viewer_client.get(url_of("timeline")).text
    assert 'name="bom" value="1"' in page and 'name="local" value="1"' in page

    excel = viewer_client.get(url_of("export_csv"), {"bom": "1", "local": "1"})
    jsonl = viewer_client.get(url_of("export_jsonl"), {"bom": "1", "local": "1"})

    body = excel.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    event = next(row for row in rows if row["entry_type"] == "event")
    assert event["local_datetime"] == "2026-11-20T08:55:00+09:00"
    assert event["time_zone"] == "Asia/Tokyo"
    assert event["message"] == '\'=HYPERLINK("https://evil.example")'
    assert event["device"] == "'@PC-01"
    # JSON Lines never carries a byte order mark; its texts are exact.
    lines = jsonl.getvalue()
    assert not lines.startswith(b"\xef\xbb\xbf")
    assert b'"local_datetime": "2026-11-20T08:55:00+09:00"' in lines
