"""How the API pages its lists: a bounded ``limit`` and an opaque ``cursor`` to go on from.

Pages are keyset pages (hikeshi.incidents.selectors.keyset): each costs the same however
deep it is, and rows added meanwhile never repeat or skip one. An answer carries
``next_cursor`` and ``next`` (the same request with that cursor), both null on the last page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError

from hikeshi.incidents.selectors.keyset import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TOKEN_MAX
from hikeshi.incidents.services.errors import InvalidInput

CURSOR_HELP = "`next_cursor` of the previous page; leave it out for the first page"
NEXT_CURSOR_HELP = "send it as `cursor` for the next page; null on the last page"
NEXT_HELP = "the address of the next page (same filters and limit); null on the last page"


def limit_help(maximum: int, items: str = "items") -> str:
    """Return the description of a list's ``limit`` parameter."""
    return f"{items} per page, at most {maximum} (a larger limit is refused, never cut)"


class PageQuery(Schema):
    """Which page: how many items at most, and where the previous page ended."""

    limit: int = Field(
        PAGE_SIZE_DEFAULT,
        ge=1,
        le=PAGE_SIZE_MAX,
        description=f"items per page, at most {PAGE_SIZE_MAX}",
    )
    cursor: str | None = Field(None, max_length=TOKEN_MAX, description=CURSOR_HELP)


def next_link(request: HttpRequest, cursor: str | None) -> str | None:
    """Return the address of the next page: this request's with ``cursor`` in place."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


@contextmanager
def cursor_checked() -> Iterator[None]:
    """Answer a cursor that names no position with 422 located at the query's ``cursor``."""
    try:
        yield
    except InvalidInput as refused:
        if refused.field != "cursor":
            raise
        problem = {"loc": ["query", "cursor"], "msg": refused.english, "type": "value_error"}
        raise ValidationError([problem]) from None
