"""The Japanese interface is complete: every message has a translation, none is fuzzy."""

from __future__ import annotations

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "src/hikeshi/locale/ja/LC_MESSAGES/django.po"


def _entries() -> list[str]:
    return [block for block in PO.read_text(encoding="utf-8").split("\n\n") if "msgid" in block]


def _translation(block: str) -> str:
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))
    # msgstr "…" or, for plural forms, msgstr[0] "…"
    parts = [re.sub(r"^msgstr(\[\d+\])? ", "", lines[start])]
    parts += [line for line in lines[start + 1 :] if line.startswith('"')]
    return "".join(part.strip('"') for part in parts)


def test_no_message_is_fuzzy() -> None:
    fuzzy = [block.splitlines()[-2] for block in _entries() if "#, fuzzy" in block]
    assert not fuzzy, f"review these translations: {fuzzy}"


def test_every_message_is_translated() -> None:
    _header, *messages = _entries()  # the first entry is the catalogue header
    missing = [block for block in messages if not _translation(block)]
    assert not missing, f"translate these into Japanese: {missing[:5]}"
    assert len(messages) > 300
