"""Bilingual text: Japanese is the source, English the translation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LocalizedText(BaseModel):
    """A text in Japanese (source) and English (translation); both are required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        """Return the text for a language code such as ``ja`` or ``en-us``."""
        return self.en if language.lower().startswith("en") else self.ja
