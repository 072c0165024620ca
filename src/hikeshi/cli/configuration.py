"""`hikeshi config`: every environment setting, its current value and what it does."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import typer

from hikeshi.config import SETTINGS, EnvSetting

# Names whose values are never printed, only whether they are set.
_SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def shown_value(setting: EnvSetting, value: str) -> str:
    """Return the value as it may be printed: secrets hidden, URL passwords masked."""
    if any(word in setting.name for word in _SECRET_WORDS):
        return "(set, hidden)" if value else "(empty)"
    if "://" in value:
        return _without_password(value)
    return value if value else "(empty)"


def show_config() -> None:
    """List every environment setting with its current value and help."""
    for setting in SETTINGS:
        raw = os.environ.get(setting.name)
        origin = "from the environment" if raw is not None else "default"
        value = shown_value(setting, raw if raw is not None else setting.default)
        typer.echo(f"{setting.name} = {value}  ({origin})")
        typer.echo(f"    {setting.help}")
