"""Keyset paging: a page of an ordered queryset starts after a position, not at an offset.

A position is the ordering's values of the last row shown, handed to clients as an opaque
token. Each page costs one indexed range read however deep it is, and rows added or
removed meanwhile never shift a page by one (an offset would repeat or skip a row).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_noop

from hikeshi.incidents.services.errors import InvalidInput

M = TypeVar("M", bound=Model)

# A page size clients may ask for; the default when they do not.
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200
# Longer tokens are refused unread: every position hikeshi writes is far shorter.
TOKEN_MAX = 1000


# Beyond a 64-bit integer column's range, a database refuses the comparison itself.
INTEGER_LIMIT = 2**63


def _integer(text: str) -> int:
    value = int(text)
    if not -INTEGER_LIMIT < value < INTEGER_LIMIT:
        raise ValueError("a position's number is out of range")
    return value


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a position's time has no offset")
    return value.astimezone(UTC)  # OverflowError near the ends of the calendar


def _text(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a position's text holds a NUL")  # PostgreSQL refuses it in a query
    return text


# How each kind of ordering value is read back from a token.
_READERS: dict[type, Callable[[str], Any]] = {int: _integer, str: _text, datetime: _instant}


@dataclass(frozen=True)
class Key:
    """One column of an ordering: its lookup path, the type of its values, its direction."""

    path: str
    kind: type
    descending: bool = False

    @property
    def order_by(self) -> str:
        """Return the column as order_by() takes it."""
        return f"-{self.path}" if self.descending else self.path


@dataclass(frozen=True)
class Ordering:
    """A total order of rows: columns compared in turn, the last one unique (a primary key)."""

    keys: tuple[Key, ...]

    def order_by(self) -> list[str]:
        """Return the columns as order_by() takes them."""
        return [key.order_by for key in self.keys]

    def position_of(self, row: Model) -> tuple[Any, ...]:
        """Return the row's values of the ordering's columns."""
        values = []
        for key in self.keys:
            value: Any = row
            for part in key.path.split("__"):
                value = getattr(value, part)
            values.append(value)
        return tuple(values)

    def after(self, position: Sequence[Any]) -> Q:
        """Return the condition for rows that come after ``position`` in this order."""
        condition = Q()
        for index, key in enumerate(self.keys):
            beyond = Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": position[index]})
            earlier = zip(self.keys[:index], position[:index], strict=True)
            equal = Q(**{column.path: value for column, value in earlier})
            condition |= equal & beyond
        return condition

    def token(self, position: Sequence[Any]) -> str:
        """Return the position as an opaque token for a client to send back."""
        values = [
            value.isoformat() if isinstance(value, datetime) else str(value) for value in position
        ]
        raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def read_token(self, token: str, field: str = "cursor") -> tuple[Any, ...]:
        """Return the position a token names; InvalidInput on ``field`` for anything else."""
        refused = InvalidInput(
            field, gettext_noop("this is not a position that an earlier page gave")
        )
        if len(token) > TOKEN_MAX:
            raise refused
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw.decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise refused from None
        if (
            not isinstance(values, list)
            or len(values) != len(self.keys)
            or not all(isinstance(value, str) for value in values)
        ):
            raise refused
        try:
            return tuple(
                _READERS[key.kind](value) for key, value in zip(self.keys, values, strict=True)
            )
        except (ValueError, OverflowError):
            raise refused from None


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of rows, and the token of the next page (None on the last one)."""

    rows: list[M]
    next_token: str | None


def keyset_page(
    rows: QuerySet[M], ordering: Ordering, *, size: int, token: str | None = None
) -> Page[M]:
    """Return the page of ``size`` rows (in ``ordering``) that follows the token's position.

    ``size`` is taken within 1 … PAGE_SIZE_MAX; a token that names no position is
    InvalidInput on ``cursor``.
    """
    size = max(1, min(size, PAGE_SIZE_MAX))
    if token:
        rows = rows.filter(ordering.after(ordering.read_token(token)))
    chunk = list(rows.order_by(*ordering.order_by())[: size + 1])
    shown = chunk[:size]
    more = len(chunk) > size
    return Page(shown, ordering.token(ordering.position_of(shown[-1])) if more else None)
