"""What the services take: each value checked against hikeshi's bounds on its way in.

Every interface (pages, API, command line, imports, jobs) reaches the record through the
services, so checking here once covers them all. Text limits come from the model columns
themselves (a CharField's max_length, TEXT_MAX for a TextField): SQLite would store a
longer value, PostgreSQL would refuse it with an error, and neither is what a person
should meet. A refusal is an InvalidInput naming the field, with its message parameters.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models

from hikeshi import bounds
from hikeshi.incidents.services.errors import InvalidInput

# How much of a refused value a message repeats (the person typed it; a hint is enough).
QUOTED_MAX = 40


def column_limit(model: type[models.Model], column: str) -> tuple[int, bool]:
    """Return (the most characters, whether lines are allowed) for a model's text column."""
    db_field = model._meta.get_field(column)
    if isinstance(db_field, models.TextField):
        return bounds.TEXT_MAX, True
    if isinstance(db_field, models.CharField) and db_field.max_length is not None:
        return db_field.max_length, False
    raise TypeError(f"{model.__name__}.{column} is not a text column")


def text(model: type[models.Model], column: str, value: str, *, field: str | None = None) -> str:
    """Return ``value`` without surrounding blanks once it fits ``model.column``.

    ``field`` names the input when it differs from the column (``settings`` is stored as
    ``settings_text``). Raises InvalidInput for control characters or an overlong text.
    """
    max_length, multiline = column_limit(model, column)
    stripped = value.strip()
    try:
        return bounds.check_text(
            field or column, stripped, max_length=max_length, multiline=multiline
        )
    except bounds.OutOfBounds as error:
        raise InvalidInput.out_of_bounds(error) from None


def instant(field: str, value: datetime) -> datetime:
    """Return ``value`` in UTC once it carries a zone and lies in hikeshi's time range."""
    try:
        return bounds.check_instant(field, value)
    except bounds.OutOfBounds as error:
        raise InvalidInput.out_of_bounds(error) from None


def optional_instant(field: str, value: datetime | None) -> datetime | None:
    """Return ``value`` checked as by instant(), or None when there is none."""
    return None if value is None else instant(field, value)


def time_zone(field: str, name: str) -> str:
    """Return ``name`` once it is a time zone hikeshi accepts (an IANA area zone or UTC)."""
    try:
        return bounds.check_time_zone(field, name)
    except bounds.OutOfBounds as error:
        raise InvalidInput.out_of_bounds(error) from None


def quoted(value: str) -> str:
    """Return a refused value as a message can show it: quoted, short, without controls."""
    return repr(bounds.clip(value, QUOTED_MAX))
