"""Shapes every resource of the API shares: instants, error answers, version checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import Model
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from hikeshi import bounds
from hikeshi.incidents.services.inputs import column_limit


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _refused(error: bounds.OutOfBounds) -> PydanticCustomError:
    """Return the bounds' refusal as pydantic reports it: type ``out_of_bounds``, the message."""
    # Filled in here: pydantic would read braces, not %(name)s, as its own placeholders.
    return PydanticCustomError("out_of_bounds", error.english.replace("{", "(").replace("}", ")"))


def _iso_text(value: object) -> object:
    # pydantic would read a number as a Unix time, guessing seconds or milliseconds by its
    # size: 253402300800 would become 1978. Only the ISO 8601 text is an instant here.
    if isinstance(value, str | datetime):
        return value
    raise PydanticCustomError("out_of_bounds", "an ISO 8601 time, e.g. 2026-11-20T09:30:00+09:00")


def _in_range(value: datetime) -> datetime:
    try:
        return bounds.check_instant("value", value)
    except bounds.OutOfBounds as error:
        raise _refused(error) from None


# An instant: ISO 8601 with an offset on the way in (naive times are refused, 422), UTC
# with "+00:00" and full microseconds on the way out (action hashes cover microseconds).
# Answers use Instant; requests use InstantIn, which also keeps to hikeshi's time range
# (an answer must still show whatever is stored, even a value from before the range).
Instant = Annotated[
    AwareDatetime,
    PlainSerializer(_utc_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
InstantIn = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(_in_range),
    PlainSerializer(_utc_iso, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with an offset, between 1970-01-01 and 2099-12-31 (UTC)",
        }
    ),
]


@dataclass(frozen=True)
class TextBounds:
    """A request text's bounds, as ``Annotated[str, TextBounds(...)]``: at most
    ``max_length`` characters (blanks around it aside) and no control characters (tabs and
    line breaks only where ``multiline``); the OpenAPI document shows the length."""

    max_length: int
    multiline: bool = False

    @classmethod
    def of(cls, model: type[Model], column: str) -> TextBounds:
        """Return the bounds of a text stored in ``model.column`` (its size, its kind)."""
        max_length, multiline = column_limit(model, column)
        return cls(max_length, multiline)

    def check(self, value: str) -> str:
        """Return ``value`` unchanged once it keeps to the bounds (the services strip it)."""
        try:
            bounds.check_text(
                "value", value.strip(), max_length=self.max_length, multiline=self.multiline
            )
        except bounds.OutOfBounds as error:
            raise _refused(error) from None
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["maxLength"] = self.max_length
        return json_schema


def _time_zone(value: str) -> str:
    try:
        return bounds.check_time_zone("value", value)
    except bounds.OutOfBounds as error:
        raise _refused(error) from None


# A user name as the API takes it (looked up, never stored as typed).
UserName = Annotated[str, TextBounds(bounds.NAME_MAX)]
# An IANA time zone hikeshi accepts (an area zone such as Asia/Tokyo, or UTC).
TimeZoneName = Annotated[
    str,
    AfterValidator(_time_zone),
    WithJsonSchema({"type": "string", "maxLength": 64, "examples": ["Asia/Tokyo", "UTC"]}),
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
