"""The incident page's panels: each app registers its own, the page only lays them out.

An app registers its panels in its ``AppConfig.ready()``; ``incidents`` never imports the
apps that contribute them. A panel is a template and a function giving that template's
context; the page wraps it in a section whose id is the panel's key, headed by its title.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.functional import Promise

from hikeshi.incidents.models import Incident

StrOrPromise = str | Promise


@dataclass(frozen=True)
class PanelContext:
    """What a panel's context function receives: the request, the incident, the reader."""

    request: HttpRequest
    incident: Incident
    user: User
    role: str | None
    can_write: bool
    can_lead: bool
    submitted: Mapping[str, forms.Form]  # forms of a refused post, by form name


def always(context: PanelContext) -> bool:
    """Return True: the panel is shown to every member."""
    return True


@dataclass(frozen=True)
class Panel:
    """One section of the incident page."""

    key: str  # unique; the section's html id and its URL name part
    title: StrOrPromise  # heading, in the user's language (gettext_lazy)
    template: str
    context: Callable[[PanelContext], Mapping[str, object]]
    order: int  # lower first: what stops the damage before what documents it
    column: Literal["main", "side"] = "main"
    visible: Callable[[PanelContext], bool] = always


_PANELS: dict[str, Panel] = {}
# A key is part of a URL and an html id: lower-case letters, digits and hyphens.
_KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_COLUMNS = ("main", "side")


def register(panel: Panel) -> None:
    """Add a panel to the incident page; a key already taken is a configuration error."""
    if not panel.key or not set(panel.key) <= _KEY_CHARACTERS:
        raise ImproperlyConfigured(
            f"panel key {panel.key!r}: use lower-case letters, digits and hyphens"
        )
    if panel.column not in _COLUMNS:
        raise ImproperlyConfigured(f"panel {panel.key!r}: column must be one of {_COLUMNS}")
    if panel.key in _PANELS:
        raise ImproperlyConfigured(f"a panel with the key {panel.key!r} is already registered")
    _PANELS[panel.key] = panel


def registered() -> list[Panel]:
    """Return every registered panel, the main column's first, each column by order."""
    return sorted(_PANELS.values(), key=lambda panel: (_COLUMNS.index(panel.column), panel.order))


def panel_named(key: str) -> Panel | None:
    """Return the panel registered under ``key``, or None."""
    return _PANELS.get(key)
