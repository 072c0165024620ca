"""The knowledge base exported for other tools: JSON of the agreed shape, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json

from hikeshi.guidance.export import CSV_COLUMNS, export
from hikeshi.guidance.knowledge import knowledge_base


def test_json_export_has_the_agreed_shape() -> None:
    document = json.loads(export(knowledge_base(), "json"))
    assert {"items", "procedures", "flow", "consultation", "contacts"} <= set(document)
    item = document["items"][27]
    assert item["number"] == 28
    assert item["target"]["ja"] == "マルウェア対応" and item["target"]["en"]
    assert item["phase"] in {"initial", "scope", "prevention"}
    assert set(item["applicability"]) == {"apt", "banking_fraud", "ransomware", "insider"}
    assert set(item["applicability"].values()) <= {"required", "conditional", "none"}
    assert item["title"] == {"ja": "マルウェアは削除せず隔離", "en": item["title"]["en"]}
    assert all(set(step) == {"ja", "en"} for step in item["steps"])
    assert "note" in item and "references" in item
    assert len(document["items"]) == 75


def test_csv_export_has_one_row_per_item() -> None:
    rows = list(csv.DictReader(io.StringIO(export(knowledge_base(), "csv"))))
    assert len(rows) == 75
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[49]["number"] == "50" and rows[49]["ransomware"] == "required"


def test_markdown_export_reads_in_both_languages() -> None:
    ja = export(knowledge_base(), "md", "ja")
    en = export(knowledge_base(), "md", "en")
    assert "マルウェアは削除せず隔離" in ja
    assert "Isolate malware instead of deleting it" in en
    assert "| 28 | ○ | ○ | ○ |  |" in ja
