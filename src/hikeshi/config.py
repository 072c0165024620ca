"""Settings read from environment variables, each declared once with its help text."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    EnvSetting(
        "HIKESHI_SEAL_KEY_FILE",
        "",
        "Key file sealing action records (HMAC); empty means HIKESHI_DATA_DIR/keys/"
        "audit-seal.key, generated on first use. Keep a copy away from database backups.",
    ),
    EnvSetting(
        "HIKESHI_CHECKPOINT_KEY_FILE",
        "",
        "Ed25519 private key (PEM) signing checkpoints; empty means HIKESHI_DATA_DIR/keys/"
        "checkpoint-ed25519.pem, generated on first use.",
    ),
    EnvSetting(
        "HIKESHI_CHECKPOINT_DIR",
        "",
        "Folder signed checkpoints of every chain head are written to; empty means "
        "HIKESHI_DATA_DIR/checkpoints. Ship its files to another machine.",
    ),
    EnvSetting(
        "HIKESHI_TRUSTED_PROXIES",
        "",
        "Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; empty means none.",
    ),
    EnvSetting(
        "HIKESHI_REQUIRE_2FA_FOR_ADMINS",
        "false",
        "Site administrators must set up two-factor sign-in before they can do anything else.",
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


def env_networks(name: str) -> tuple[IPNetwork, ...]:
    """Return the comma-separated addresses and CIDR networks; raise ConfigError on a bad one.

    A bare address is a network of one. Host bits set in a network (``10.0.0.1/8``) are
    refused rather than silently widened or narrowed: the operator meant something else.
    """
    networks: list[IPNetwork] = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as error:
            raise ConfigError(
                f"{name}: {item!r} is not an IP address or network ({error}); "
                "write e.g. 10.0.0.5, 10.0.0.0/24 or fd00::/8"
            ) from None
    return tuple(networks)


def env_path(name: str) -> Path:
    """Return the variable as an absolute path (relative paths are taken from the cwd)."""
    return Path(_raw(name)).expanduser().resolve()


def env_optional_path(name: str) -> Path | None:
    """Return the variable as an absolute path, or None when it is empty."""
    return env_path(name) if _raw(name) else None


def env_existing_file(name: str) -> Path | None:
    """Return the variable as the path of an existing file, None when empty; else ConfigError.

    For keys given by the operator: a missing file (an unmounted volume, a typo) must stop
    start-up, never be replaced by a newly generated key.
    """
    path = env_optional_path(name)
    if path is not None and not path.is_file():
        raise ConfigError(f"{name}={path}: no such file; give the path of the existing key file")
    return path


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
