"""The site log page: site administrators only, labelled, filtered, paged, in their zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.sitelog.conftest import TABLE, raw

from hikeshi.sitelog.selectors import ENTRIES_PER_PAGE
from hikeshi.sitelog.services import SiteEventKind, record_site_event

URL = "/site-log/"


def _client(user: User, language: str = "ja") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.fixture
def entries(site_admin: User) -> None:
    """A token issued from the command line and an account deactivated in the admin."""
    record_site_event(
        SiteEventKind.API_TOKEN_ISSUED,
        actor=None,
        subject="sato",
        detail={"via": "cli", "token_name": "SIEM 連携", "token_prefix": "hks_abcd"},
    )
    record_site_event(
        SiteEventKind.USER_DEACTIVATED,
        actor=site_admin,
        subject="kato",
        detail={"via": "admin", "site_admin": False},
        client_address="192.0.2.44",
    )


def test_a_site_admin_sees_the_entries_with_labels_not_keys(
    site_admin: User, entries: None
) -> None:
    page = _client(site_admin).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "サイトログ" in text
    assert "API トークンの発行" in text and "アカウントの無効化" in text
    table = text[text.index("<tbody>") : text.index("</tbody>")]
    assert "api_token_issued" not in table.replace("site-event-api_token_issued", "")
    assert "user_deactivated" not in table.replace("site-event-user_deactivated", "")
    assert "SIEM 連携" in text and "hks_abcd" in text
    assert "コマンドライン" in text  # via: cli, in words
    assert "192.0.2.44" in text
    assert "いいえ" in text  # site_admin: False
    assert "全 2 件。" in text


def test_the_page_speaks_english_when_asked(site_admin: User, entries: None) -> None:
    text = _client(site_admin, "en").get(URL).content.decode()
    assert "Site log" in text
    assert "API token issued" in text and "Account deactivated" in text
    assert "command line" in text and "Token name" in text
    assert "2 entries in all." in text


@pytest.mark.parametrize("who", ["lead", "responder", "viewer", "outsider"])
def test_anyone_but_a_site_admin_gets_404(
    request: pytest.FixtureRequest, who: str, entries: None
) -> None:
    client = _client(request.getfixturevalue(who))
    for method in ("get", "post", "put", "delete"):
        assert getattr(client, method)(URL).status_code == 404, method


def test_a_deactivated_site_admin_gets_404(site_admin: User, entries: None) -> None:
    client = _client(site_admin)
    User.objects.filter(pk=site_admin.pk).update(is_active=False)
    # Django signs a deactivated account out: it is sent to sign in, like anyone signed out.
    assert client.get(URL).status_code == 302


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_site_admin_may_only_read(site_admin: User) -> None:
    assert _client(site_admin).post(URL).status_code == 405


def test_only_site_admins_see_the_link(site_admin: User, lead: User) -> None:
    assert 'href="/site-log/"' in _client(site_admin).get("/incidents/").content.decode()
    assert 'href="/site-log/"' not in _client(lead).get("/incidents/").content.decode()


def test_filtering_by_kind(site_admin: User, entries: None) -> None:
    text = _client(site_admin, "en").get(URL, {"kind": "user_deactivated"}).content.decode()
    assert "Account deactivated" in text
    assert "SIEM" not in text


def test_filtering_by_account_matches_subject_and_actor(site_admin: User, entries: None) -> None:
    client = _client(site_admin, "en")
    by_subject = client.get(URL, {"account": "SATO"}).content.decode()
    assert "SIEM" in by_subject and "192.0.2.44" not in by_subject
    by_actor = client.get(URL, {"account": "admin"}).content.decode()
    assert "192.0.2.44" in by_actor and "SIEM" not in by_actor
    nobody = client.get(URL, {"account": "nobody"}).content.decode()
    assert "No entries match." in nobody


def test_an_unknown_kind_is_named_as_an_error(site_admin: User, entries: None) -> None:
    response = _client(site_admin, "en").get(URL, {"kind": "made_up"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Please correct the following:" in text
    assert "made_up is not one of the available choices" in text


def test_times_are_shown_in_tokyo_unless_another_zone_is_chosen(site_admin: User) -> None:
    entry = record_site_event(SiteEventKind.USER_CREATED, actor=None, subject="sato")
    instant = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)
    raw(f"UPDATE {TABLE} SET occurred_at = %s WHERE id = %s", [instant, entry.pk])
    client = _client(site_admin, "en")
    tokyo = client.get(URL).content.decode()
    assert "2026-11-20 10:02:03" in tokyo and "(Asia/Tokyo)" in tokyo
    utc = client.get(URL, {"tz": "UTC"}).content.decode()
    assert "2026-11-20 01:02:03" in utc and "(UTC)" in utc


def test_pages_move_by_sequence_number(site_admin: User) -> None:
    total = ENTRIES_PER_PAGE + 5
    for number in range(1, total + 1):
        record_site_event(SiteEventKind.USER_CREATED, actor=None, subject=f"user{number:03}")
    client = _client(site_admin, "en")

    first = client.get(URL)
    names = [row.entry.subject for row in first.context["rows"]]
    assert names[0] == f"user{total:03}" and len(names) == ENTRIES_PER_PAGE
    assert first.context["newer_after"] is None
    older_before = first.context["older_before"]
    assert older_before == 6

    second = client.get(URL, {"before": older_before})
    assert [row.entry.subject for row in second.context["rows"]] == [
        f"user{n:03}" for n in range(5, 0, -1)
    ]
    assert second.context["older_before"] is None
    newer_after = second.context["newer_after"]
    assert newer_after == 5

    back = client.get(URL, {"after": newer_after})
    assert [row.entry.subject for row in back.context["rows"]] == names
    assert back.context["newer_after"] is None
    assert back.context["older_before"] == 6


def test_a_position_out_of_range_is_an_error_not_a_crash(site_admin: User) -> None:
    response = _client(site_admin, "en").get(URL, {"before": str(2**70)})
    assert response.status_code == 400


def test_names_with_markup_are_shown_as_text(site_admin: User) -> None:
    record_site_event(
        SiteEventKind.LOGIN_LOCKED_OUT, actor=None, subject="<script>alert(1)</script>"
    )
    text = _client(site_admin).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_page_takes_a_fixed_number_of_queries(
    site_admin: User, django_assert_max_num_queries: object
) -> None:
    for number in range(30):
        record_site_event(
            SiteEventKind.API_TOKEN_REVOKED, actor=site_admin, subject=f"user{number}"
        )
    client = _client(site_admin)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(URL).status_code == 200
