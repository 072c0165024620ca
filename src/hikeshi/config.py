"""Settings read from environment variables, each declared once with its help text."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigError(ValueError):
    """An environment variable holds a value hikeshi cannot use."""


@dataclass(frozen=True)
class EnvSetting:
    """One environment variable hikeshi reads."""

    name: str
    default: str
    help: str


SETTINGS: tuple[EnvSetting, ...] = (
    EnvSetting(
        "HIKESHI_DATA_DIR",
        "./var",
        "Folder for the SQLite database, the generated secret key, evidence and workspaces.",
    ),
    EnvSetting(
        "DATABASE_URL",
        "",
        "PostgreSQL URL (postgres://user@host:5432/name); empty means SQLite in the data dir.",
    ),
    EnvSetting("HIKESHI_DEBUG", "false", "Django debug mode; never on in production."),
    EnvSetting(
        "HIKESHI_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names the web server answers to.",
    ),
    EnvSetting(
        "HIKESHI_SECRET_KEY",
        "",
        "Django secret key; empty means one generated on first run and kept in the data dir.",
    ),
    EnvSetting(
        "HIKESHI_HTTPS",
        "false",
        "Set when served over HTTPS: secure cookies, HSTS and redirect to https.",
    ),
    EnvSetting(
        "HIKESHI_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed logins (per user name and address) before the account is locked.",
    ),
    EnvSetting(
        "HIKESHI_LOCKOUT_MINUTES",
        "30",
        "How long a locked login stays locked, in minutes.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str:
    return os.environ.get(name, _BY_NAME[name].default).strip()


def env_str(name: str) -> str:
    """Return the variable's text, or its declared default."""
    return _raw(name)


def env_bool(name: str) -> bool:
    """Return the variable as a boolean; raise ConfigError for anything but yes/no words."""
    value = _raw(name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: expected true/false, 1/0, yes/no or on/off")


def env_int(name: str, minimum: int = 0) -> int:
    """Return the variable as a whole number of at least ``minimum``."""
    value = _raw(name)
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ConfigError(f"{name}={number}: must be at least {minimum}")
    return number


def env_list(name: str) -> list[str]:
    """Return the comma-separated variable as a list of non-empty items."""
    return [part.strip() for part in _raw(name).split(",") if part.strip()]


def env_path(name: str) -> Path:
    """Return the variable as an absolute path (relative paths are taken from the cwd)."""
    return Path(_raw(name)).expanduser().resolve()


def data_dir() -> Path:
    """Return the data folder, created if missing."""
    path = env_path("HIKESHI_DATA_DIR")
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(folder: Path) -> str:
    """Return HIKESHI_SECRET_KEY, or the key kept in ``folder`` (generated on first use)."""
    configured = env_str("HIKESHI_SECRET_KEY")
    if configured:
        return configured
    key_file = folder / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()
