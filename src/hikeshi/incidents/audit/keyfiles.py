"""Key files outside the database: created once, readable only by their owner (mode 600)."""

from __future__ import annotations

import os
from pathlib import Path

from hikeshi.config import ConfigError


def create_private_file(path: Path, data: bytes) -> bool:
    """Return True after writing ``data`` to a new file of mode 600; False if it exists.

    O_EXCL: two processes starting at once must not write two different keys. The folder
    is created with mode 700 (keys only).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def read_key_file(path: Path, setting: str) -> bytes:
    """Return the file's bytes; raise ConfigError naming ``setting`` when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"{setting}: cannot read the key file {path} ({error.strerror or error}); "
            "restore it from your key backup or point the setting at the right file"
        ) from None
