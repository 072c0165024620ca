"""Hostile input for the property tests: what a careless script or an attacker sends.

Strategies for texts (control characters, lone surrogates, sizes past every column), times
(years 1-9999, 24:00, :60, offsets up to ±23:59, numbers, garbage), time zones (the names
a system holds that are not zones a person means), integers past every column, and values
of the wrong type. Each file under tests/properties drives one family of input paths with
them and checks that hikeshi answers 4xx with the field named, never 5xx, and that every
page of the incident still renders afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from hikeshi.bounds import is_representable
from hikeshi.directory.models import IncidentContact
from hikeshi.incidents.models import (
    ActionRecord,
    ChecklistComment,
    ChecklistItem,
    Incident,
    Membership,
    TimelineEvent,
)

# Repeatable in CI (derandomize) and bounded so that the whole directory runs in well under
# a minute on two cores, on SQLite and PostgreSQL alike; no example database in the tree.
BOUNDED = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Every kind of character, lone surrogates (Cs) and NUL included.
_ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
_CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff"])
_NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t",
    "a\r\nb",
    "\u202eevil",
    "%s %(x)s {0} {}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 150,
    "x" * 151,
    "x" * 200,
    "x" * 201,
    "あ" * 201,
    "y" * 20_000,
    "y" * 20_001,
]


def hostile_text(*, surrogates: bool = True, longest: int = 21_000) -> st.SearchStrategy[str]:
    """Return texts a form or body might carry: short odd ones, control characters, sizes
    around every limit (150, 200, 20,000) and beyond.

    ``surrogates`` False leaves out lone surrogates, which a browser cannot send (a form is
    UTF-8 on the wire) but a JSON body can (``"\\ud800"``).
    """
    alphabet = _ANY_CHARACTER if surrogates else st.characters(codec="utf-8")
    return st.one_of(
        st.sampled_from(_NASTY),
        st.text(alphabet=alphabet, max_size=30),
        st.builds(lambda a, c, b: a + c + b, st.text(max_size=5), _CONTROL, st.text(max_size=5)),
        st.integers(min_value=140, max_value=longest).map(lambda n: "長" * n),
    )


def hostile_time() -> st.SearchStrategy[str]:
    """Return texts that look like times: real ones across years 1-9999, 24:00 and :60,
    offsets up to ±23:59, with and without an offset, and garbage."""
    offsets = st.one_of(
        st.just(""),
        st.just("Z"),
        st.builds(
            lambda sign, h, m: f"{sign}{h:02d}:{m:02d}",
            st.sampled_from("+-"),
            st.integers(0, 23),
            st.integers(0, 59),
        ),
    )
    shaped = st.builds(
        lambda y, mo, d, h, mi, s, off: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{off}",
        st.integers(1, 9999),
        st.integers(1, 12),
        st.integers(1, 31),
        st.integers(0, 24),
        st.integers(0, 59),
        st.integers(0, 60),
        offsets,
    )
    edges = st.sampled_from(
        [
            "0001-01-01T00:00",
            "0001-01-01T00:00:00+14:00",
            "1969-12-31T23:59:59+00:00",
            "1970-01-01T00:00:00+00:00",
            "2026-11-20T09:30",
            "2026-11-20T24:00",
            "2026-12-31T23:59:60",
            "2099-12-31T23:59:59-14:00",
            "2100-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59+00:00",
            "9999-12-31T23:59:59-23:59",
            "2026-02-30T10:00",
            "2026-11-20",
            "２０２６-11-20T09:30",
            "yesterday",
            "",
        ]
    )
    return st.one_of(edges, shaped, st.text(max_size=40))


def hostile_zone() -> st.SearchStrategy[str]:
    """Return time zone names: real ones, system files that are not zones, and nonsense."""
    return st.one_of(
        st.sampled_from(
            [
                "Asia/Tokyo",
                "UTC",
                "America/Los_Angeles",
                "Pacific/Kiritimati",
                "localtime",
                "posixrules",
                "Factory",
                "Etc/GMT+9",
                "posix/Asia/Tokyo",
                "asia/tokyo",
                "../../etc/passwd",
                "Asia/Tokyo\x00",
                "",
            ]
        ),
        st.text(max_size=70),
    )


def hostile_integer() -> st.SearchStrategy[int]:
    """Return integers around and far past what a database column holds."""
    return st.one_of(
        st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]),
        st.integers(min_value=-(10**25), max_value=10**25),
    )


def wrong_type() -> st.SearchStrategy[Any]:
    """Return JSON values of every type, for fields that expect another."""
    return st.one_of(
        st.none(),
        st.booleans(),
        hostile_integer(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )


def spoiled(
    valid: dict[str, Any], hostile: dict[str, st.SearchStrategy[Any]], *, most: int = 2
) -> st.SearchStrategy[tuple[dict[str, Any], frozenset[str]]]:
    """Return (body, spoiled field names): a valid body with one to ``most`` fields
    replaced by hostile values (``ABSENT`` leaves a field out), so that a refusal can be
    traced to the field that caused it and hostile values that are acceptable get stored.
    """
    names = st.sets(st.sampled_from(sorted(hostile)), min_size=1, max_size=most)

    def spoil(chosen: set[str]) -> st.SearchStrategy[tuple[dict[str, Any], frozenset[str]]]:
        replacements = st.fixed_dictionaries({name: hostile[name] for name in chosen})
        return replacements.map(
            lambda values: (
                {name: value for name, value in {**valid, **values}.items() if value is not ABSENT},
                frozenset(chosen),
            )
        )

    return names.flatmap(spoil)


# A field left out of the body altogether.
ABSENT = object()


def json_body(body: dict[str, Any]) -> str:
    """Return a JSON body that may hold lone surrogates (as \\ud800 escapes, like JavaScript)."""
    return json.dumps(body, ensure_ascii=True)


def assert_refused_by_field(response: HttpResponse) -> None:
    """Assert a 4xx answer; for 400 and 422, that it names the fields it refused."""
    assert response.status_code < 500, response.content[:2000]
    assert 400 <= response.status_code < 500, response.status_code
    if response.status_code == 422:
        detail = json.loads(response.content)["detail"]
        assert detail, response.content
        for error in detail:
            assert error["loc"][0] in {"body", "query", "path"}, error
            assert error["msg"], error


def assert_web_refusal(response: HttpResponse) -> None:
    """Assert a page answered a refused form with 400 and at least one error shown on it."""
    assert response.status_code == 400, (response.status_code, response.content[:2000])
    # Errors sit on their fields (class "error") and in the summary above the form.
    assert b'class="error' in response.content or b"error-summary" in response.content


def assert_pages_render(client: Client, incident_id: int) -> None:
    """Assert that the list, the incident's page (with its timeline), its checklist and its
    timeline export answer 200."""
    for url in (
        reverse("incidents:list"),
        reverse("incidents:detail", kwargs={"incident_id": incident_id}),
        reverse("incidents:checklist", kwargs={"incident_id": incident_id}),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    export = client.get(reverse("incidents:export_jsonl", kwargs={"incident_id": incident_id}))
    assert export.status_code == 200
    b"".join(export.streaming_content)  # type: ignore[attr-defined]  # a streamed answer


def record_state() -> tuple[object, ...]:
    """Return a fingerprint of everything a page shows: each service's writes move it.

    Pages are a function of the stored record, so an attempt that leaves it as it was
    cannot break one; the tests render every page only after an attempt that changed it.
    """
    return (
        tuple(Incident.objects.order_by("pk").values_list("pk", "version", "audit_length")),
        TimelineEvent.objects.count(),
        ChecklistComment.objects.count(),
        tuple(ChecklistItem.objects.order_by("pk").values_list("status", "assignee_id")),
        tuple(Membership.objects.order_by("pk").values_list("user_id", "role", "affiliation")),
        IncidentContact.objects.count(),
    )


def assert_stored_in_bounds() -> None:
    """Assert that every stored time lies in hikeshi's range (nothing slipped past a check)."""
    times = [
        *Incident.objects.values_list("detected_at", flat=True),
        *Incident.objects.exclude(estimated_start=None).values_list("estimated_start", flat=True),
        *ActionRecord.objects.values_list("performed_at", flat=True),
        *TimelineEvent.objects.values_list("occurred_at", flat=True),
        *ChecklistItem.objects.exclude(performed_at=None).values_list("performed_at", flat=True),
    ]
    assert all(value is not None and is_representable(value) for value in times)


def signed_in(user: User) -> Client:
    """Return a test client signed in as ``user`` (CSRF is not enforced, as in every test)."""
    client = Client()
    client.force_login(user)
    return client
