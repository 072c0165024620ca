"""The base of every guidance data model: immutable, and strict about unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class GuidanceModel(BaseModel):
    """A guidance entry: frozen once loaded; a misspelt field in the YAML is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
