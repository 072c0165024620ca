"""The knowledge base written out as JSON, CSV (the matrix) or Markdown, for other tools."""

from __future__ import annotations

import json
from typing import Any

from hikeshi.datafiles.text import TranslatedText, is_english
from hikeshi.guidance.knowledge import KnowledgeBase
from hikeshi.guidance.matrix import Applicability, MatrixItem, MatrixType
from hikeshi.spreadsheet import Cell, csv_text

FORMATS = ("json", "csv", "md")
_MARK = {Applicability.REQUIRED: "○", Applicability.CONDITIONAL: "△", Applicability.NONE: ""}


def _text(value: TranslatedText | None) -> dict[str, str] | None:
    return None if value is None else {"ja": value.ja, "en": value.en}


def item_as_json(kb: KnowledgeBase, item: MatrixItem) -> dict[str, Any]:
    """Return one matrix item in the export's JSON shape."""
    return {
        "number": item.number,
        "target": {**(_text(kb.matrix.target(item.target).name) or {}), "code": item.target},
        "phase": item.phase.value,
        "applicability": {t.value: item.applicability.for_type(t).value for t in MatrixType},
        "title": _text(item.title),
        "steps": [_text(step) for step in item.steps],
        "references": [str(url) for url in item.references],
        "condition": _text(item.condition),
        "inferred": item.inferred,
        "note": _text(item.note),
        "log_checks": item.log_checks,
    }


def as_json(kb: KnowledgeBase) -> str:
    """Return the whole knowledge base as one JSON document."""
    document = {
        "rules": [rule.model_dump(mode="json") for rule in kb.matrix.rules],
        "targets": [target.model_dump(mode="json") for target in kb.matrix.targets],
        "items": [item_as_json(kb, item) for item in kb.matrix.items],
        "incident_types": [t.model_dump(mode="json") for t in kb.incident_types.incident_types],
        "procedures": kb.procedures.model_dump(mode="json"),
        "flow": kb.flow.model_dump(mode="json"),
        "cases": kb.cases.model_dump(mode="json"),
        "consultation": kb.consultation.model_dump(mode="json"),
        "contacts": [c.model_dump(mode="json") for c in kb.contacts.contacts],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "number",
    "target_code",
    "target_ja",
    "target_en",
    "phase",
    *(t.value for t in MatrixType),
    "title_ja",
    "title_en",
    "steps_ja",
    "steps_en",
    "condition_ja",
    "condition_en",
    "references",
    "inferred",
    "note_ja",
    "note_en",
    "log_checks",
)


def as_csv(kb: KnowledgeBase) -> str:
    """Return the matrix as CSV, one row per item (steps joined by newlines).

    Cells a spreadsheet would evaluate as a formula are prefixed with a quote (the data is
    edited by hand, and a step may well begin with "-").
    """
    return csv_text(CSV_COLUMNS, (_csv_row(kb, item) for item in kb.matrix.items))


def _csv_row(kb: KnowledgeBase, item: MatrixItem) -> list[Cell]:
    target = kb.matrix.target(item.target)
    return [
        item.number,
        item.target,
        target.name.ja,
        target.name.en,
        item.phase.value,
        *(item.applicability.for_type(t).value for t in MatrixType),
        item.title.ja,
        item.title.en,
        "\n".join(s.ja for s in item.steps),
        "\n".join(s.en for s in item.steps),
        item.condition.ja if item.condition else "",
        item.condition.en if item.condition else "",
        " ".join(str(u) for u in item.references),
        "true" if item.inferred else "false",
        item.note.ja if item.note else "",
        item.note.en if item.note else "",
        " ".join(item.log_checks),
    ]


def as_markdown(kb: KnowledgeBase, language: str = "ja") -> str:
    """Return a readable Markdown document of the matrix, the rules and the type mapping."""
    en = is_english(language)
    lines = [
        "# " + ("Incident response items (JPCERT/CC)" if en else "インシデント対応項目(JPCERT/CC)")
    ]
    lines.append("")
    for rule in kb.matrix.rules:
        lines.append(f"- {rule.text.for_language(language)}")
    lines += [
        "",
        "| # | " + " | ".join(t.value for t in MatrixType) + " | item |",
        "|---" * 6 + "|",
    ]
    for item in kb.matrix.items:
        marks = " | ".join(_MARK[item.applicability.for_type(t)] for t in MatrixType)
        lines.append(f"| {item.number} | {marks} | {item.title.for_language(language)} |")
    current = ""
    for item in kb.matrix.items:
        if item.target != current:
            current = item.target
            lines += ["", f"## {kb.matrix.target(current).name.for_language(language)}"]
        lines += [
            "",
            f"### {item.number}. {item.title.for_language(language)} ({item.phase.value})",
            "",
        ]
        lines += [
            f"{n}. {step.for_language(language)}" for n, step in enumerate(item.steps, start=1)
        ]
        if item.condition:
            lines.append(
                f"\n> {'Applies when' if en else '条件'}: {item.condition.for_language(language)}"
            )
        if item.note:
            lines.append(f"\n> {'Note' if en else '注記'}: {item.note.for_language(language)}")
        lines += [f"- <{url}>" for url in item.references]
    lines += ["", "## " + ("Incident types" if en else "インシデント種別"), ""]
    for incident_type in kb.incident_types.incident_types:
        columns = ", ".join(t.value for t in incident_type.matrix_types) or "-"
        lines.append(
            f"- **{incident_type.name.for_language(language)}** ({incident_type.code.value}): "
            f"{columns}. {incident_type.rationale.for_language(language)}"
        )
    return "\n".join(lines) + "\n"


def export(kb: KnowledgeBase, fmt: str, language: str = "ja") -> str:
    """Return the knowledge base in one of FORMATS."""
    if fmt == "json":
        return as_json(kb)
    if fmt == "csv":
        return as_csv(kb)
    if fmt == "md":
        return as_markdown(kb, language)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
