"""Whatever a data file holds, loading it gives a model or a DataFileError, never a traceback."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field

from hikeshi.datafiles.loading import DataFileError, load_text
from hikeshi.datafiles.model import DataModel
from hikeshi.datafiles.text import LocalizedText


class Check(DataModel):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: LocalizedText
    weight: int = 1
    tags: tuple[str, ...] = ()


class Catalogue(DataModel):
    checks: list[Check]
    note: LocalizedText | None = None


# Pieces of YAML syntax, so that random text reaches the parser's and the constructors'
# corners (anchors, tags, merges, flow collections) and not only plain scalars.
_PIECES = st.sampled_from(
    [
        "checks:",
        "- ",
        "id:",
        " first",
        "title:",
        "{ja: 題, en: T}",
        "ja:",
        "en:",
        "weight:",
        "tags:",
        "note:",
        "\n",
        "\n  ",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "&a ",
        "*a",
        "<<: ",
        "!!int ",
        "!!bool ",
        "!!timestamp ",
        "!!binary ",
        "!!float ",
        "!!set ",
        "!!omap ",
        "!!python/object ",
        "2001-02-30",
        "2001-12-14t21:59:43+99:00",
        "'",
        '"',
        "|",
        ">",
        "---",
        "...",
        "#",
        "?",
        "%YAML 1.1",
        "\t",
        "\x00",
        "\ufeff",
        "0x1F",
        "~",
        "1e999",
    ]
)
_YAMLISH = st.lists(_PIECES | st.text(max_size=5), max_size=40).map("".join)

# Documents of the right vocabulary but any shape, so that every kind of schema error
# (and its entry, field and line) is described.
_KEYS = st.sampled_from(["checks", "id", "title", "ja", "en", "weight", "tags", "note", "x"])
_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


def _loads_or_explains(content: str | bytes) -> None:
    try:
        load_text(content, Catalogue, name="fuzz.yaml")
    except DataFileError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.startswith("fuzz.yaml: "), problem


@settings(
    max_examples=200,
    deadline=None,
    database=None,  # no example database written into the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(), st.binary(), _YAMLISH, _YAMLISH.map(str.encode)))
def test_any_text_or_bytes_load_or_raise_a_data_file_error(content: str | bytes) -> None:
    _loads_or_explains(content)


@settings(max_examples=200, deadline=None, database=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=4), st.booleans())
def test_any_document_shape_loads_or_names_its_problems(document: Any, flow: bool) -> None:
    _loads_or_explains(yaml.safe_dump(document, allow_unicode=True, default_flow_style=flow))
