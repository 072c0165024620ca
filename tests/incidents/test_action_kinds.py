"""Action kinds: one enumeration, every kind labelled in both languages, never shown raw."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hikeshi.incidents.action_kinds import ActionKind, is_bookkeeping, kind_label
from hikeshi.incidents.demo import load_demo
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.incidents.services.checklist import assign, mark_not_applicable, set_in_progress
from hikeshi.incidents.services.incidents import TriageInput, change_status, triage
from hikeshi.incidents.vocabulary import Level, Status

SRC = Path(__file__).resolve().parents[2] / "src/hikeshi"
PO = SRC / "locale/ja/LC_MESSAGES/django.po"
# A string literal that reads like an action kind: "<area>.<what>" in the areas records use.
DOTTED_KIND = re.compile(r"""["']((?:incident|checklist|timeline|contact)\.[a-z_]+)["']""")
# A literal given as, or compared with, a kind: `kind="…"`, `kind == "…"`, `kind != "…"`.
KIND_LITERAL = re.compile(r"""\bkind\s*(?:=|==|!=)\s*["']([^"']+)["']""")
# Modules whose `kind` is something else (jobs, site-log events, contacts, archives).
OTHER_KINDS = ("jobs/", "sitelog/", "backup/", "contact", "guidance/", "migrations/")
DOTTED = [kind for kind in ActionKind.values if "." in kind]


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*"))
        if path.suffix in {".py", ".html"} and path.name != "action_kinds.py"
    ]


def test_no_module_writes_or_compares_an_action_kind_as_a_string_literal() -> None:
    found = []
    for path in _sources():
        relative = str(path.relative_to(SRC))
        text = path.read_text(encoding="utf-8")
        found += [(relative, m) for m in DOTTED_KIND.findall(text) if "migrations/" not in relative]
        if not any(part in relative for part in OTHER_KINDS):
            found += [(relative, m) for m in KIND_LITERAL.findall(text)]
    # File names such as "timeline.csv" are not kinds.
    found = [(path, literal) for path, literal in found if not literal.endswith(".csv")]
    assert found == [], "use ActionKind members instead of these literals"


def test_every_kind_the_services_store_is_a_member(lead: User, incident: Incident) -> None:
    item = ChecklistItem.objects.filter(incident=incident).first()
    assert item is not None, "opening an incident generates its checklist"
    assign(lead, incident.pk, item.pk, lead)
    set_in_progress(lead, incident.pk, item.pk)
    mark_not_applicable(lead, incident.pk, item.pk, "対象のサーバがない")
    decided = triage(
        lead,
        incident.pk,
        incident.version,
        TriageInput(is_incident=True, urgency=Level.HIGH, impact=Level.HIGH),
    )
    change_status(lead, incident.pk, decided.version, Status.RESPONSE)
    load_demo(lead)

    stored = set(ActionRecord.objects.values_list("kind", flat=True))

    assert stored <= set(ActionKind.values)
    assert {ActionKind.CHECKLIST_ASSIGNED, ActionKind.INCIDENT_STATUS} <= stored


def test_every_kind_has_a_japanese_label_in_the_catalogue() -> None:
    catalogue = PO.read_text(encoding="utf-8")
    for kind in ActionKind:
        with translation.override("en"):
            english = kind_label(kind.value)
        assert f'msgid "{english}"' in catalogue, english
        with translation.override("ja"):
            japanese = kind_label(kind.value)
        assert japanese != english and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese)


def test_bookkeeping_is_what_hikeshi_writes_and_the_rest_is_what_people_did() -> None:
    assert ActionKind.INCIDENT_STATUS.is_bookkeeping
    assert ActionKind.TIMELINE_IMPORTED.is_bookkeeping
    assert ActionKind.CHECKLIST_GENERATED.is_bookkeeping
    assert not ActionKind.MANUAL.is_bookkeeping
    assert not ActionKind.CHECKLIST_DONE.is_bookkeeping
    assert not ActionKind.INCIDENT_TRIAGED.is_bookkeeping
    # A kind written by another version of hikeshi is shown as stored, never hidden.
    assert kind_label("evidence.sealed") == "evidence.sealed"
    assert not is_bookkeeping("evidence.sealed")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_demo_incident_page_shows_labels_not_raw_kinds(lead: User, language: str) -> None:
    demo = load_demo(lead)
    assert demo is not None
    client = Client()
    client.force_login(lead)
    client.cookies["django_language"] = language

    page = client.get(reverse("incidents:detail", kwargs={"incident_id": demo.pk})).content

    text = page.decode()
    assert [kind for kind in DOTTED if kind in text] == []
    with translation.override(language):
        assert str(ActionKind.INCIDENT_TRIAGED.label) in text
        assert str(ActionKind.TIMELINE_EVENT_ADDED.label) in text
        assert str(ActionKind.MANUAL.label) in text
    # The incident page shows the newest few records; the actions page shows them all.
    records = client.get(reverse("incidents:actions", kwargs={"incident_id": demo.pk}))
    listed = records.content.decode()
    assert [kind for kind in DOTTED if kind in listed] == []
    assert 'class="action is-bookkeeping"' in listed  # the opening record
