"""Checklist items for the commands: found by what a person types, and as JSON values."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from hikeshi.cli.errors import CliError, UsageProblem
from hikeshi.cli.runtime import local_iso

if TYPE_CHECKING:
    from hikeshi.guidance.checklist import GuidanceStep
    from hikeshi.incidents.models import ChecklistItem, Incident
    from hikeshi.incidents.selectors.checklist import PhaseProgress

MATRIX_PREFIX = "matrix:"


def guidance() -> dict[str, GuidanceStep]:
    """Return every guidance step by key (built once per process)."""
    from hikeshi.guidance.checklist import packaged_catalogue

    return packaged_catalogue()


def matrix_number(key: str) -> int | None:
    """Return the matrix number in a key such as ``matrix:28``, or None for other keys."""
    raw = key.removeprefix(MATRIX_PREFIX)
    return int(raw) if key.startswith(MATRIX_PREFIX) and raw.isdigit() else None


def item_label(item: ChecklistItem) -> str:
    """Return how a person names the item: ``item 28`` for the matrix, else its key."""
    number = matrix_number(item.key)
    return f"item {number}" if number is not None else item.key


def item_title(item: ChecklistItem, language: str = "ja") -> str:
    """Return the item's title from the guidance (its key if the guidance dropped it)."""
    step = guidance().get(item.key)
    return step.title.for_language(language) if step else item.key


def item_json(item: ChecklistItem, zone: str) -> dict[str, Any]:
    """Return the item as JSON values: the guidance's words and where the work stands."""
    step = guidance().get(item.key)
    return {
        "id": item.pk,
        "key": item.key,
        "number": matrix_number(item.key),
        "phase": item.phase,
        "group": item.group,
        "requirement": item.requirement,
        "title": {"ja": step.title.ja, "en": step.title.en}
        if step
        else {"ja": item.key, "en": item.key},
        "condition": {"ja": step.condition.ja, "en": step.condition.en}
        if step and step.condition
        else None,
        "status": item.status,
        "assignee": item.assignee.get_username() if item.assignee else None,
        "performed_at": local_iso(item.performed_at, zone),
        "scope": item.scope,
        "settings": item.settings_text,
        "not_applicable_reason": item.not_applicable_reason,
        "applies": item.applies,
        "log_checks": list(step.log_checks) if step else [],
    }


def progress_json(entry: PhaseProgress) -> dict[str, Any]:
    """Return one phase's progress as JSON values."""
    return {
        "phase": entry.phase,
        "closed": entry.closed,
        "total": entry.total,
        "required_open": entry.required_open,
        "percent": entry.percent,
    }


def _ranges(numbers: list[int]) -> str:
    """Return ``1-11, 13, 15-20`` for the sorted numbers."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def find_item(incident: Incident, ref: str) -> ChecklistItem:
    """Return the incident's item named by a matrix number, a key, or ``#id`` / ``id:id``."""
    from hikeshi.incidents.selectors.checklist import checklist_entry, checklist_entry_by_key

    text = ref.strip()
    if text.startswith("#") or text.lower().startswith("id:"):
        raw = text[1:] if text.startswith("#") else text[3:]
        if not raw.strip().isdecimal():
            raise UsageProblem(f"ITEM {ref!r}: an id is a number, as in '#42' or id:42")
        found = checklist_entry(incident, int(raw))
        if found is None:
            raise CliError(
                f"no item #{int(raw)} in incident {incident.pk}'s checklist; "
                f"`hikeshi checklist show {incident.pk} --json` shows the ids"
            )
        return found.item
    key = f"{MATRIX_PREFIX}{int(text)}" if text.isdecimal() else text
    if ":" not in key:
        raise UsageProblem(
            f"ITEM {ref!r} is not a matrix number (28), a key (matrix:28, procedure:…) "
            "or an id ('#42')"
        )
    by_key = checklist_entry_by_key(incident, key)
    if by_key is None:
        raise CliError(_not_found(incident, key))
    return by_key.item


def _not_found(incident: Incident, key: str) -> str:
    """Return why no item has the key, with the matrix numbers here or the closest key."""
    where = f"incident {incident.pk}'s checklist"
    from hikeshi.incidents.selectors.checklist import item_keys

    keys = item_keys(incident)
    if key.startswith(MATRIX_PREFIX):
        numbers = sorted(n for n in map(matrix_number, keys) if n is not None)
        here = f"matrix items here: {_ranges(numbers)}" if numbers else "it has no matrix items"
        return f"no item {key.removeprefix(MATRIX_PREFIX)} in {where} ({here})"
    close = difflib.get_close_matches(key, keys, n=1)
    if close:
        return f"no item {key!r} in {where}; did you mean {close[0]!r}?"
    return f"no item {key!r} in {where}; `hikeshi checklist show {incident.pk}` lists them"
