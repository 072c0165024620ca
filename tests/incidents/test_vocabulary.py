"""The incident record's type vocabulary is the guidance's, code for code and name for name."""

from __future__ import annotations

from django.utils import translation

from hikeshi.guidance.checklist import PHASES
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.models.checklist import ChecklistPhase
from hikeshi.incidents.vocabulary import IncidentType


def test_type_codes_match_the_guidance_in_order() -> None:
    guidance = [t.code.value for t in knowledge_base().incident_types.incident_types]
    assert list(IncidentType.values) == guidance


def test_type_names_match_the_guidance_in_both_languages() -> None:
    names = {t.code.value: t.name for t in knowledge_base().incident_types.incident_types}
    for code, label in IncidentType.choices:
        with translation.override("ja"):
            assert names[code].ja in str(label), code
        with translation.override("en"):
            assert str(label).startswith(names[code].en.split(" (")[0]), code


def test_checklist_phases_are_the_guidance_phases_in_order() -> None:
    assert tuple(ChecklistPhase.values) == PHASES
