"""The base of every data-file model: immutable once loaded, and strict about unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DataModel(BaseModel):
    """An entry of a data file: frozen once loaded; a field the schema lacks is an error.

    Forbidding unknown fields is what turns a misspelt key in a hand-edited file (``nte:``
    for ``note:``) into an error naming it, instead of a value silently ignored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
