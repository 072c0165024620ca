"""An incident's folder in the data directory: the files people hand to hikeshi for it.

``<HIKESHI_DATA_DIR>/incidents/<id>/uploads/<sha256>.<ext>`` holds each uploaded file under
the SHA-256 of its content, written while it arrives: the name proves which bytes an action
record speaks of, and the same file uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

# Read and written at a time: large enough for few system calls, small enough to be
# nothing in memory.
CHUNK_BYTES = 64 * 1024


class UploadTooLarge(Exception):
    """The file went past the size the caller accepts; nothing was kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"more than {limit} bytes")


def incident_folder(incident_id: int) -> Path:
    """Return the incident's folder in the data directory (not created here)."""
    return Path(settings.DATA_DIR) / "incidents" / str(incident_id)


def uploads_folder(incident_id: int) -> Path:
    """Return the incident's uploads folder, created (owner-only) if missing."""
    folder = incident_folder(incident_id) / "uploads"
    # Owner-only: uploads are evidence and may hold personal data.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class StoredUpload:
    """A file kept in an incident's uploads folder, named by the SHA-256 of its content."""

    path: Path
    sha256: str
    size: int
    # The same content was already stored (an earlier upload): a failure must keep it.
    existed: bool

    def relative_path(self) -> str:
        """Return the path inside the data directory, as recorded in action records."""
        return self.path.relative_to(Path(settings.DATA_DIR)).as_posix()

    def discard(self) -> None:
        """Remove the file, unless an earlier upload of the same content still needs it."""
        if not self.existed:
            self.path.unlink(missing_ok=True)


def chunks_of(handle: IO[bytes]) -> Iterator[bytes]:
    """Return the contents of a binary file, CHUNK_BYTES at a time."""
    return iter(lambda: handle.read(CHUNK_BYTES), b"")


def store_upload(
    incident_id: int, chunks: Iterable[bytes], *, max_bytes: int, suffix: str = ".csv"
) -> StoredUpload:
    """Return the stored file, written from ``chunks`` while hashing; raise UploadTooLarge.

    The bytes go to a temporary file beside the target and are renamed to their hash once
    complete, so a half-written file never carries a hash name. Raises OSError when the
    disk refuses (full, read-only); nothing is left behind in either case.
    """
    folder = uploads_folder(incident_id)
    digest = hashlib.sha256()
    size = 0
    # mkstemp creates the file readable by its owner only.
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".part")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(max_bytes)
                digest.update(chunk)
                handle.write(chunk)
        target = folder / f"{digest.hexdigest()}{suffix}"
        existed = target.exists()
        if existed:
            temporary.unlink()
        else:
            temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredUpload(path=target, sha256=digest.hexdigest(), size=size, existed=existed)
