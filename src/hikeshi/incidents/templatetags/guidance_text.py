"""Template filters for guidance data: its texts come in Japanese and English."""

from __future__ import annotations

from django import template
from django.utils import translation

from hikeshi.datafiles.text import LocalizedText

register = template.Library()


def active_language() -> str:
    """Return the language the page is being rendered in (Japanese when none is active)."""
    return translation.get_language() or "ja"


@register.filter
def localized(text: LocalizedText | None) -> str:
    """Return a data file's text in the reader's language ("" for a missing text)."""
    if text is None:
        return ""
    return text.for_language(active_language())
