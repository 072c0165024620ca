"""Text in Japanese, the language hikeshi's data is written in, and in English."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from hikeshi.datafiles.model import DataModel


def _not_blank(value: str) -> str:
    # min_length lets "  " through, and a blank text shows as an empty line on a page.
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


def is_english(language: str) -> bool:
    """Return whether a language code (``en``, ``en-us``, ``en_GB``, ``EN``) means English."""
    primary = language.strip().replace("_", "-").split("-", 1)[0]
    return primary.lower() == "en"


class LocalizedText(DataModel):
    """A text in Japanese (the source) with an optional English translation."""

    ja: Text
    en: Text | None = None

    def for_language(self, language: str) -> str:
        """Return the text for a language code; Japanese for any other language or no English.

        Japanese is the source every translation is made from, so it is the sensible
        answer for a language the data does not carry (``fr``) or a missing translation.
        """
        if self.en is not None and is_english(language):
            return self.en
        return self.ja


class TranslatedText(LocalizedText):
    """A localized text whose English translation is required: for fully bilingual data."""

    en: Text
