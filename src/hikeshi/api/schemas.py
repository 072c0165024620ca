"""Shapes every resource of the API shares: instants, error answers, version checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, PlainSerializer, WithJsonSchema


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# An instant: ISO 8601 with an offset on the way in (naive times are refused, 422), UTC
# with "+00:00" and full microseconds on the way out (action hashes cover microseconds).
Instant = Annotated[
    AwareDatetime,
    PlainSerializer(_utc_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

VERSION_HELP = "the version you read; a stale one answers 409"


class Message(Schema):
    """An error explained in one sentence."""

    detail: str


class Conflict(Schema):
    """Someone else changed the incident first; reload it and apply your change again."""

    detail: str
    current_version: int | None


class FieldError(Schema):
    """One invalid field: ``loc`` is body, query or path, then the field (and list index)."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidFields(Schema):
    """The request was refused because of these fields."""

    detail: list[FieldError]


READ_ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: Message, 422: InvalidFields}
VERSIONED_WRITE_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 409: Conflict}
