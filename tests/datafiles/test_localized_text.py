"""Localized text: Japanese is the source, English an optional or required translation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hikeshi.datafiles.text import LocalizedText, TranslatedText, is_english

BOTH = LocalizedText(ja="隔離する", en="Isolate")
JAPANESE_ONLY = LocalizedText(ja="隔離する")


@pytest.mark.parametrize("language", ["en", "en-us", "en-GB", "en_US", "EN", " en "])
def test_english_codes_give_the_english_text(language: str) -> None:
    assert is_english(language)
    assert BOTH.for_language(language) == "Isolate"


@pytest.mark.parametrize("language", ["ja", "ja-jp", "fr", "zh-hans", "", "english", "eng"])
def test_other_languages_fall_back_to_the_japanese_source(language: str) -> None:
    assert not is_english(language)
    assert BOTH.for_language(language) == "隔離する"


def test_a_missing_translation_falls_back_to_japanese() -> None:
    assert JAPANESE_ONLY.en is None
    assert JAPANESE_ONLY.for_language("en") == "隔離する"


def test_japanese_is_required_and_must_not_be_blank() -> None:
    with pytest.raises(ValidationError, match="ja"):
        LocalizedText.model_validate({"en": "Isolate"})
    with pytest.raises(ValidationError, match="at least 1 character"):
        LocalizedText(ja="")
    with pytest.raises(ValidationError, match="must not be blank"):
        LocalizedText(ja=" \u3000")


def test_an_english_text_if_given_must_not_be_empty() -> None:
    with pytest.raises(ValidationError, match="en"):
        LocalizedText(ja="隔離する", en="")


def test_a_translated_text_requires_english() -> None:
    with pytest.raises(ValidationError, match=r"en\n  Field required"):
        TranslatedText.model_validate({"ja": "隔離する"})
    text = TranslatedText(ja="隔離する", en="Isolate")
    assert text.for_language("en-us") == "Isolate"
    assert isinstance(text, LocalizedText)


def test_a_text_is_frozen_and_refuses_other_languages() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        BOTH.ja = "別の文"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="fr"):
        LocalizedText.model_validate({"ja": "隔離する", "fr": "Isoler"})
