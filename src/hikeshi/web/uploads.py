"""Where Django keeps an upload while the request runs, and clearing what a crash left there.

Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file that Django deletes
when the request ends, failed or not. A process that is killed mid-request leaves its file
behind; with Django's default that is /tmp, outside anything an operator backs up, sizes or
clears. hikeshi keeps them in the data folder instead and clears them at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_NAME = "uploads-tmp"


def upload_folder(data_dir: Path) -> Path:
    """Return the folder for uploads in progress inside ``data_dir``, created if missing."""
    folder = data_dir / FOLDER_NAME
    # 0o700: an upload in progress is evidence or personal data, like the rest of the folder.
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def remove_stale_uploads(folder: Path, started: float) -> list[str]:
    """Return the names of the files removed from ``folder``: those last written before ``started``.

    A file written after ``started`` belongs to a request of a server that is already
    running (a second `hikeshi serve`, or the one `hikeshi init` runs next to): it stays.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime < started:
                Path(entry.path).unlink()
                removed.append(entry.name)
        except FileNotFoundError:
            # Django removed it itself, a moment ago, when its request ended.
            continue
    return sorted(removed)
