"""The checklist as a readable table: items by phase and group, in Japanese or English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from hikeshi.cli.checklist_items import guidance, item_title, matrix_number
from hikeshi.cli.runtime import text_table

if TYPE_CHECKING:
    from hikeshi.incidents.models import ChecklistItem, Incident
    from hikeshi.incidents.selectors.checklist import PhaseProgress

_MARKS = {"required": "○", "conditional": "△"}


@dataclass(frozen=True)
class Words:
    """The few words of the readable table, in one language."""

    header: tuple[str, str, str, str]
    legend: str
    progress: str  # formatted with closed, total, percent, required_open
    dropped: str
    nothing: str
    empty: str


WORDS = {
    "ja": Words(
        header=("項目", "要否", "状態", "内容"),
        legend="○ 必須 / △ 条件付き(条件は --json の condition)",
        progress="完了 {closed}/{total} ({percent}%)、未完了の必須 {required_open}",
        dropped=" [現在の種別では不要]",
        nothing="条件に合う項目はありません。",
        empty="チェックリストは空です(インシデント種別を設定すると生成されます)。",
    ),
    "en": Words(
        header=("Item", "Req", "Status", "Title"),
        legend="○ required / △ conditional (when: see condition in --json)",
        progress="closed {closed}/{total} ({percent}%), required open {required_open}",
        dropped=" [no longer asked for by the incident's types]",
        nothing="No items match.",
        empty="The checklist is empty (it is generated from the incident's types).",
    ),
}


def _phase_heading(phase: str, entry: PhaseProgress | None, words: Words) -> str:
    """Return the phase's heading line, with its progress when there is any."""
    from hikeshi.incidents.models.checklist import ChecklistPhase

    label = str(ChecklistPhase(phase).label) if phase in ChecklistPhase.values else phase
    if entry is None:
        return f"■ {label}"
    counts = words.progress.format(
        closed=entry.closed,
        total=entry.total,
        percent=entry.percent,
        required_open=entry.required_open,
    )
    return f"■ {label}  {counts}"


def _handle(item: ChecklistItem) -> str:
    """Return the short name to type as ITEM: the matrix number, else ``#id``."""
    number = matrix_number(item.key)
    return str(number) if number is not None else f"#{item.pk}"


def print_table(
    incident: Incident, items: list[ChecklistItem], progress: list[PhaseProgress], language: str
) -> None:
    """Print the items (already in working order) under phase and group headings."""
    from django.utils import translation

    words = WORDS[language]
    steps = guidance()
    rows = []
    for item in items:
        title = item_title(item, language)
        if matrix_number(item.key) is None:
            title += f"  ({item.key})"
        if not item.applies:
            title += words.dropped
        with translation.override(language):
            status = str(item.get_status_display())
        rows.append([_handle(item), _MARKS.get(item.requirement, item.requirement), status, title])
    header, *lines = text_table(list(words.header), rows)
    by_phase = {entry.phase: entry for entry in progress}
    typer.echo(f"#{incident.pk} {incident.title}")
    typer.echo(words.legend)
    typer.echo("")
    typer.echo(f"    {header}")
    phase = group = None
    for item, line in zip(items, lines, strict=True):
        if item.phase != phase:
            phase, group = item.phase, None
            with translation.override(language):
                typer.echo(f"\n{_phase_heading(phase, by_phase.get(phase), words)}")
        step = steps.get(item.key)
        group_name = step.group_name.for_language(language) if step else item.group
        if group_name != group:
            group = group_name
            typer.echo(f"  {group}")
        typer.echo(f"    {line}")
