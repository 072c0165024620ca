"""Form data that names the incident version an edit started from."""

from __future__ import annotations

from django.http import QueryDict


def with_version(data: QueryDict, version: int) -> QueryDict:
    """Return a copy of submitted form data that names the given incident version."""
    updated = data.copy()
    updated["version"] = str(version)
    return updated
