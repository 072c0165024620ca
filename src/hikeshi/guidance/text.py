"""Bilingual text: Japanese is the source, English the translation."""

from __future__ import annotations

from pydantic import Field

from hikeshi.guidance.schema import GuidanceModel


class LocalizedText(GuidanceModel):
    """A text in Japanese (source) and English (translation); both are required."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        """Return the text for a language code such as ``ja`` or ``en-us``."""
        return self.en if language.lower().startswith("en") else self.ja
