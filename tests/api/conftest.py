"""Helpers for API tests: a client that carries a person's token, and valid request bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident

BASE = "/api/v1"
ITEM = "/incidents/{incident_id}/checklist/{item_id}"


class ApiClient:
    """Calls the API as one person, with JSON bodies."""

    def __init__(self, authorization: str | None) -> None:
        headers = {"Authorization": authorization} if authorization else {}
        self.client = Client(headers=headers)

    def get(self, path: str, **params: Any) -> HttpResponse:
        return self.client.get(BASE + path, params)

    def post(self, path: str, body: dict[str, Any]) -> HttpResponse:
        return self.client.post(BASE + path, body, content_type="application/json")

    def put(self, path: str, body: dict[str, Any]) -> HttpResponse:
        return self.client.put(BASE + path, body, content_type="application/json")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> HttpResponse:
        files = [v for v in (body or {}).values() if isinstance(v, SimpleUploadedFile)]
        if body is not None and files:
            # A file goes as multipart/form-data, as a browser or `curl -F` sends it; rewound,
            # since a sample body may be sent twice.
            for upload in files:
                upload.seek(0)
            return self.client.post(BASE + path, body)
        return self.client.generic(
            method.upper(),
            BASE + path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
        )


@pytest.fixture
def api_as(db: None) -> Callable[[User], ApiClient]:
    """Return a factory: ``api_as(user)`` is a client carrying a fresh token of ``user``."""

    def make(user: User) -> ApiClient:
        _, raw = ApiToken.issue(user, "tests")
        return ApiClient(f"Bearer {raw}")

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


def error_locations(response: HttpResponse) -> list[list[str | int]]:
    """Return the ``loc`` of every error in a 422 answer."""
    assert response.status_code == 422, response.content
    return [error["loc"] for error in response.json()["detail"]]


def intake(**changes: Any) -> dict[str, Any]:
    """Return a valid intake body, with ``changes`` applied."""
    body: dict[str, Any] = {
        "title": "不審なメールの添付ファイルを開いた",
        "detected_at": "2026-11-21T10:15:00+09:00",
        "types": ["virus_infection", "spoofed_email"],
        "organisation": "株式会社サンプル",
        "reporter": "経理部 佐藤",
        "what_happened": "請求書を装ったメールの添付ファイルを開いた",
    }
    body.update(changes)
    return body


def valid_bodies(incident: Incident) -> dict[tuple[str, str], dict[str, Any]]:
    """Return a valid body for every incident route that takes one, by (method, path)."""
    version = incident.version
    return {
        ("put", "/incidents/{incident_id}"): intake(version=version),
        ("post", "/incidents/{incident_id}/triage"): {
            "is_incident": True,
            "urgency": 3,
            "impact": 2,
            "version": version,
        },
        ("post", "/incidents/{incident_id}/status"): {"status": "triage", "version": version},
        ("post", "/incidents/{incident_id}/actions"): {"what": "ファイルサーバをLANから切り離した"},
        ("post", "/incidents/{incident_id}/timeline"): {
            "occurred_at": "2026-11-20T08:55:00+09:00",
            "description": "最初の暗号化ファイルの更新時刻",
        },
        ("post", "/incidents/{incident_id}/members"): {"username": "outsider", "role": "viewer"},
        ("post", "/incidents/{incident_id}/timeline/import"): {
            "file": SimpleUploadedFile(
                "events.csv", "日時,内容\n2026/11/20 08:55,最初の暗号化\n".encode(), "text/csv"
            )
        },
        ("post", f"{ITEM}/done"): {
            "performed_at": "2026-11-20T10:15:00+09:00",
            "scope": "PC-01",
            "settings": "検体をパスワード付き ZIP で隔離フォルダへ退避",
        },
        ("post", f"{ITEM}/not-applicable"): {"reason": "該当する機器がない"},
        ("post", f"{ITEM}/start"): {},
        ("post", f"{ITEM}/assign"): {"username": "responder"},
        ("post", f"{ITEM}/comments"): {"text": "検体は保全済み"},
        ("post", "/incidents/{incident_id}/contacts"): {
            "guidance_contact": "jpcert_incident_response",
            "reason": "インシデント報告のため",
        },
    }


# The checklist item that concrete paths use: one every ransomware incident has.
SAMPLE_ITEM_KEY = "matrix:28"


def concrete(path: str, incident_id: int) -> str:
    """Return ``path`` with its parameters filled with ids of ``incident_id``'s records."""
    action = ActionRecord.objects.filter(incident_id=incident_id).values_list("pk").first()
    item = (
        ChecklistItem.objects.filter(incident_id=incident_id, key=SAMPLE_ITEM_KEY)
        .values_list("pk")
        .first()
    )
    from hikeshi.jobs.models import Job

    job = Job.objects.filter(incident_id=incident_id).values_list("pk").first()
    return path.format(
        incident_id=incident_id,
        job_id=job[0] if job else 1,
        action_id=action[0] if action else 1,
        item_id=item[0] if item else 1,
        key=SAMPLE_ITEM_KEY,
    )
