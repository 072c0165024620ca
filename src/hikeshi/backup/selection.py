"""Which files of HIKESHI_DATA_DIR a backup holds, and which of them are secrets.

Everything in the data folder goes in except what is rebuilt or copied another way: the
SQLite database (copied through its online backup, never as a file), static files, uploads
in progress. Secrets stay out unless asked for, because a backup travels further than the
server (off-site, to a colleague, to a restore test) and whoever holds the secret key can
forge sessions, and whoever holds the seal or signing key can forge the audit trail's
seals and checkpoints. A key file counts as a secret unless it is plainly a public key, so
a key added in a later version is kept out until it is known to be public.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from hikeshi.backup.sqlite import SQLITE_FILE as SQLITE_NAME
from hikeshi.web.uploads import FOLDER_NAME as UPLOADS_IN_PROGRESS

# The live progress of running jobs (hikeshi.jobs.board): transient, and a byte copy taken
# while a worker writes it could be torn.
JOBS_BOARD_NAME = f"{Path(SQLITE_NAME).stem}-jobs{Path(SQLITE_NAME).suffix}"
# Regenerated or transient: the database travels through its own snapshot.
SKIPPED_TOP = {
    *(
        f"{name}{suffix}"
        for name in (SQLITE_NAME, JOBS_BOARD_NAME)
        for suffix in ("", "-wal", "-shm", "-journal")
    ),
    "static",
    UPLOADS_IN_PROGRESS,
}
# S105: the name of the file holding the key, not a key.
SECRET_KEY_FILE = "secret_key"  # noqa: S105
KEYS_FOLDER = "keys"
PUBLIC_KEY_STARTS = (b"-----BEGIN PUBLIC KEY-----", b"ssh-ed25519 ", b"ssh-rsa ", b"ecdsa-sha2-")


@dataclass(frozen=True)
class DataFile:
    """A file of the data folder: where it is, its path inside the folder, its size."""

    path: Path
    relative: str
    size: int


@dataclass(frozen=True)
class Selection:
    """The files a backup takes, the secrets it leaves out, and what it skips and why."""

    files: list[DataFile]
    # Every secret found, (path, what it is for); in ``files`` too when they are included.
    secrets: list[tuple[str, str]]
    skipped: list[str]


def secret_kind(relative: str, path: Path) -> str | None:
    """Return what the secret at ``relative`` is for, or None when it is not a secret."""
    if relative == SECRET_KEY_FILE:
        return "Django secret key (sessions, password-reset links)"
    parts = relative.split("/")
    if parts[0] != KEYS_FOLDER:
        return None
    if relative.endswith(".pub"):
        return None
    try:
        with path.open("rb") as handle:
            start = handle.read(64).lstrip()
    except OSError:
        start = b""
    if start.startswith(PUBLIC_KEY_STARTS):
        return None
    if b"PRIVATE KEY-----" in start:
        return "private signing key (signs the audit checkpoints)"
    if "seal" in parts[-1]:
        return "audit seal key (seals of the action records)"
    return "key file not known to be public"


def without_it(relative: str) -> str:
    """Return what happens when the secret at ``relative`` is not restored."""
    if relative == SECRET_KEY_FILE:
        return "without it a new key is made at start and everyone signs in again"
    if "seal" in relative.rsplit("/", 1)[-1]:
        return "without it every seal made so far fails `hikeshi audit verify`"
    return (
        "without it a new key signs from then on, and the checkpoints made so far verify "
        "only with --public-key and the old public key"
    )


def select(data_dir: Path, *, include_secrets: bool, exclude: set[Path]) -> Selection:
    """Return the files of ``data_dir`` a backup takes, in a stable order.

    ``exclude`` holds paths never to take (the archive being written, when it is inside).
    Links and special files are skipped and named: a backup copies files, not what they
    point at elsewhere on the machine.
    """
    files: list[DataFile] = []
    secrets: list[tuple[str, str]] = []
    skipped: list[str] = []
    for root, folders, names in os.walk(data_dir):
        here = Path(root)
        relative_root = here.relative_to(data_dir)
        if relative_root == Path():
            folders[:] = [f for f in folders if f not in SKIPPED_TOP]
            names = [n for n in names if n not in SKIPPED_TOP]
        folders.sort()
        for name in sorted(names):
            path = here / name
            relative = (relative_root / name).as_posix()
            mode = path.lstat().st_mode
            if path in exclude:
                continue
            if not stat.S_ISREG(mode):
                skipped.append(f"{relative} (not a plain file)")
                continue
            kind = secret_kind(relative, path)
            if kind is not None:
                secrets.append((relative, kind))
                if not include_secrets:
                    continue
            files.append(DataFile(path, relative, path.lstat().st_size))
        for folder in list(folders):
            if (here / folder).is_symlink():
                skipped.append(f"{(relative_root / folder).as_posix()}/ (a link)")
                folders.remove(folder)
    return Selection(files, secrets, skipped)
