"""Writing the backup tar atomically while hashing, and reading one back without trusting it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import lzma
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, Literal

from hikeshi.backup.manifest import (
    DATA_FOLDER,
    DATABASE_FOLDER,
    MANIFEST_NAME,
    BackupError,
    FileEntry,
    Progress,
)

CHUNK = 1024 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Suffix -> tarfile stream mode; zstd goes through the zstd program (not in Python 3.11).
COMPRESSIONS: dict[str, Literal["w|", "w|gz", "w|xz"]] = {
    ".tar": "w|",
    ".tar.gz": "w|gz",
    ".tgz": "w|gz",
    ".tar.xz": "w|xz",
}
ZSTD_SUFFIXES = (".tar.zst", ".tar.zstd")


def compression_of(path: Path) -> str:
    """Return the archive kind its name asks for (.tar, .tar.gz, .tar.xz or .tar.zst)."""
    name = path.name.lower()
    for suffix in (*ZSTD_SUFFIXES, *COMPRESSIONS):
        if name.endswith(suffix):
            return suffix
    raise BackupError(
        f"{path.name}: name the backup .tar, .tar.gz, .tar.xz or .tar.zst "
        "(the ending chooses the compression)"
    )


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """Return the pipe of a process started with it (Popen types it as optional)."""
    if stream is None:
        raise BackupError("could not talk to the zstd program")
    return stream


def _zstd() -> str:
    program = shutil.which("zstd")
    if program is None:
        raise BackupError(
            "a .tar.zst backup needs the zstd program (apt-get install zstd); "
            "or name the backup .tar.gz"
        )
    return program


class _HashingReader(io.RawIOBase):
    """Reads exactly ``size`` bytes of ``source``, hashing them and reporting progress."""

    def __init__(self, source: BinaryIO, size: int, progress: Progress) -> None:
        self.source = source
        self.remaining = size
        self.digest = hashlib.sha256()
        self.progress = progress

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        wanted = self.remaining if size < 0 else min(size, self.remaining)
        data = self.source.read(wanted)
        self.remaining -= len(data)
        self.digest.update(data)
        self.progress.advance(len(data))
        return data


class ArchiveWriter:
    """A tar being written to a temporary file beside its target, renamed there on commit."""

    def __init__(self, target: Path) -> None:
        kind = compression_of(target)
        self.target = target
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
        self.temporary = Path(temporary)
        self._raw: IO[bytes] = os.fdopen(descriptor, "wb")
        self._zstd: subprocess.Popen[bytes] | None = None
        try:
            if kind in ZSTD_SUFFIXES:
                # S603: the zstd program found on PATH, fixed arguments.
                self._zstd = subprocess.Popen(  # noqa: S603
                    [_zstd(), "-q", "-c", "-T0"], stdin=subprocess.PIPE, stdout=self._raw
                )
                stream: IO[bytes] = _pipe(self._zstd.stdin)
                mode: Literal["w|", "w|gz", "w|xz"] = "w|"
            else:
                stream, mode = self._raw, COMPRESSIONS[kind]
            # SIM115: the tar stays open across add_file calls; commit() or abort() close it.
            self._tar = tarfile.open(  # noqa: SIM115
                fileobj=stream, mode=mode, format=tarfile.PAX_FORMAT
            )
        except BaseException:
            self.abort()
            raise

    def _info(self, name: str, size: int, mtime: float) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(mtime)
        # Restored files are the owner's only: they are evidence and personal data.
        info.mode = 0o600
        return info

    def add_file(self, name: str, path: Path, progress: Progress) -> FileEntry:
        """Return the entry of ``path`` added as ``name``; its bytes are hashed on the way."""
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            reader = _HashingReader(handle, status.st_size, progress)
            try:
                self._tar.addfile(self._info(name, status.st_size, status.st_mtime), reader)
            except OSError as error:
                if "unexpected end of data" in str(error):
                    raise BackupError(
                        f"{path} shrank while it was being copied; run the backup again"
                    ) from None
                raise
        return FileEntry(path=name, size=status.st_size, sha256=reader.digest.hexdigest())

    def add_bytes(self, name: str, data: bytes) -> None:
        """Add ``data`` as the file ``name``."""
        self._tar.addfile(self._info(name, len(data), time.time()), io.BytesIO(data))

    def commit(self) -> None:
        """Finish the tar, flush it to disk and put it in place under its final name."""
        self._tar.close()
        if self._zstd is not None:
            _pipe(self._zstd.stdin).close()
            if self._zstd.wait() != 0:
                raise BackupError(f"zstd failed (exit {self._zstd.returncode}) writing the backup")
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        self.temporary.replace(self.target)
        # The rename itself reaches the disk only once the folder is synced.
        folder = os.open(self.target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def abort(self) -> None:
        """Drop the temporary file: a failed backup leaves nothing that looks like one."""
        tar: tarfile.TarFile | None = getattr(self, "_tar", None)
        if tar is not None:
            # Closed now, while its file is open: left to the garbage collector it would
            # flush into a closed file. What it writes is deleted below anyway.
            with contextlib.suppress(Exception):
                tar.close()
        if self._zstd is not None:
            self._zstd.kill()
            self._zstd.wait()
        self._raw.close()
        self.temporary.unlink(missing_ok=True)


def _member_name(member: tarfile.TarInfo) -> PurePosixPath:
    """Return the member's path once it is known to stay inside the archive's layout."""
    path = PurePosixPath(member.name)
    parts = path.parts
    if (
        path.is_absolute()
        or not parts
        or any(part in {"", ".", ".."} for part in parts)
        or "\\" in member.name
        or not (
            member.name == MANIFEST_NAME
            or (parts[0] in {DATA_FOLDER, DATABASE_FOLDER} and len(parts) > 1)
        )
    ):
        raise BackupError(
            f"the archive holds an unexpected entry {member.name!r}; not restoring it"
        )
    if not member.isfile():
        raise BackupError(
            f"the archive entry {member.name!r} is not a plain file (link or device); "
            "a hikeshi backup holds only files"
        )
    return path


@contextmanager
def _opened(archive: Path) -> Iterator[tarfile.TarFile]:
    with archive.open("rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic != ZSTD_MAGIC:
            with tarfile.open(fileobj=raw, mode="r|*") as tar:
                yield tar
            return
    # S603: the zstd program found on PATH, fixed arguments.
    process = subprocess.Popen(  # noqa: S603
        [_zstd(), "-q", "-d", "-c", "--", str(archive)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    output = _pipe(process.stdout)
    try:
        with tarfile.open(fileobj=output, mode="r|") as tar:
            yield tar
        output.read()  # what follows the tar's end, so that zstd can finish and report
        if process.wait() != 0:
            problem = _pipe(process.stderr).read().decode(errors="replace").strip()
            raise BackupError(f"{archive} is not a readable backup (zstd: {problem})")
    finally:
        output.close()
        process.kill()
        process.wait()


def extract(archive: Path, staging: Path, progress: Progress) -> dict[str, FileEntry]:
    """Return every file of ``archive`` (by name) after writing it under ``staging``.

    Each file is hashed as it is written, so checking it against the manifest needs no
    second pass. Only plain files under ``manifest.json``, ``database/`` and ``data/`` are
    accepted: a link, a device or a path leaving the folder stops the restore.
    """
    found: dict[str, FileEntry] = {}
    # A plain tar is about as large as what it holds; a compressed one's size says nothing.
    plain = archive.name.lower().endswith(".tar")
    progress.begin("Reading the backup", archive.stat().st_size if plain else None)
    try:
        with _opened(archive) as tar:
            for member in tar:
                name = _member_name(member)
                if member.name in found:
                    raise BackupError(f"the archive holds {member.name!r} twice")
                source = tar.extractfile(member)
                if source is None:  # not reached: _member_name accepts plain files only
                    raise BackupError(f"cannot read {member.name!r} from the archive")
                target = staging.joinpath(*name.parts)
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("xb") as output:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        output.write(chunk)
                        progress.advance(len(chunk))
                target.chmod(0o600)
                os.utime(target, (member.mtime, member.mtime))
                found[member.name] = FileEntry(
                    path=member.name, size=member.size, sha256=digest.hexdigest()
                )
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as error:
        raise BackupError(
            f"{archive} is not a readable backup ({error}); is it complete?"
        ) from None
    return found
