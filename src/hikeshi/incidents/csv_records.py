"""Reading a CSV file from disk a record at a time, within fixed bounds.

Nothing here holds more than one record in memory, whatever the file holds: physical lines
are cut from the bytes as they are read (``\\r\\n``, ``\\n`` and a lone ``\\r`` all end a
line), each line is decoded on its own (the encoding is chosen on a bounded prefix, and a
line the chosen one cannot read gets the other), and lines are grouped into records by
following the quotes exactly as Python's csv module does, so that a quoted cell may span
lines and a record's physical line numbers are known. A record too long, undecodable or
malformed becomes a :class:`Record` with a problem; only a problem of the whole file (not
text, a line beyond :data:`LINE_MAX_BYTES`, a quote never closed) raises
:class:`FileProblem`. Messages are English message ids marked with ``gettext_noop`` and
translated where they are shown.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext, gettext_noop

# A physical line longer than this ends the import: no line of a timeline is that long,
# and a file that has one (minified JSON, a binary, a single 19 MB line) is not a
# timeline. Bounds the memory a line can take.
LINE_MAX_BYTES = 1024 * 1024
# A record (all its lines) longer than this is a rejected row. Below the csv module's
# field limit (131,072 characters), which is never reached, and far above what a row of
# TEXT_MAX-long description and one-line columns needs.
ROW_MAX_CHARS = 100_000
# The prefix the encoding is chosen on.
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024

UTF8, CP932 = "utf-8", "cp932"
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Problem:
    """What is wrong, as an English message id with its ``%(name)s`` parameters."""

    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def text(self) -> str:
        """Return the message translated into the active language, parameters filled in."""
        translated = gettext(self.message)
        return translated % self.params if self.params else translated


class FileProblem(Exception):
    """The file as a whole cannot be imported (nothing of it is)."""

    def __init__(self, message: str, **params: str | int) -> None:
        self.problem = Problem(message, params)
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Record:
    """One CSV record: its physical lines, and its cells or why they cannot be read."""

    first_line: int
    last_line: int
    cells: list[str] = field(default_factory=list)
    problem: Problem | None = None

    @property
    def is_blank(self) -> bool:
        """Return whether the record holds nothing (an empty line, or only commas)."""
        return self.problem is None and not any(cell.strip() for cell in self.cells)


def detect_encoding(prefix: bytes) -> str:
    """Return UTF8 or CP932 for a file starting with ``prefix``; raise FileProblem.

    A file whose first bytes are those of a workbook, an archive, UTF-16 or a binary is
    refused here, as is one where most lines are neither; otherwise the encoding the prefix
    is written in wins (UTF-8 on a tie: ASCII is both), and each line the chosen one cannot
    read later falls back to the other.
    """
    if not prefix:
        raise FileProblem(gettext_noop("the file is empty"))
    if prefix.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileProblem(
            gettext_noop(
                "this is an Excel workbook or an archive, not CSV; in Excel use "
                "Save As > CSV UTF-8 (comma delimited) and import that file"
            )
        )
    if prefix.startswith((b"\xff\xfe", b"\xfe\xff")) or _mostly_nul(prefix):
        raise FileProblem(
            gettext_noop(
                "the file is UTF-16 or binary, not CSV text; save it as CSV UTF-8 (or "
                "Shift_JIS) and import it again"
            )
        )
    for encoding in (UTF8, CP932):
        try:
            # Incremental: the prefix may end inside a character.
            codecs.getincrementaldecoder(encoding)().decode(prefix, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    # Some lines are neither: count the evidence line by line. A non-ASCII line that is
    # valid UTF-8 is strong evidence (Shift_JIS text rarely is); valid CP932 is weak (most
    # UTF-8 bytes also "decode" as CP932), so it counts only where UTF-8 fails.
    lines = [line for line in _LINE_END.split(prefix) if not line.isascii()]
    utf8 = sum(1 for line in lines if _decodes(line, UTF8))
    cp932 = sum(1 for line in lines if not _decodes(line, UTF8) and _decodes(line, CP932))
    if utf8 + cp932 < len(lines) / 2:
        raise FileProblem(
            gettext_noop(
                "the file is neither UTF-8 nor Shift_JIS (CP932); save it as CSV UTF-8 "
                "and import it again"
            )
        )
    return UTF8 if utf8 >= cp932 else CP932


def _mostly_nul(prefix: bytes) -> bool:
    """Return whether most lines of ``prefix`` hold a NUL byte: UTF-16 or a binary file.

    In UTF-16 every ASCII character (commas, digits, line breaks) carries a NUL byte; a NUL
    in a few rows of a text file is a control character, refused in those rows alone.
    """
    if b"\x00" not in prefix:
        return False
    lines = _LINE_END.split(prefix)
    return sum(1 for line in lines if b"\x00" in line) * 2 > len(lines)


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _still_quoted(line: str, inside: bool) -> bool:
    """Return whether a record continues past ``line`` inside a quoted cell.

    Follows the csv module's reader (excel dialect, not strict): a quote opens a quoted
    cell only at the start of a cell; inside one, a doubled quote is a quote and a single
    one closes it, after which anything up to the next comma stays in the cell.
    """
    pos, length = 0, len(line)
    while True:
        if inside:
            quote = line.find('"', pos)
            if quote < 0:
                return True
            if line.startswith('"', quote + 1):
                pos = quote + 2
                continue
            inside, pos = False, quote + 1
            if pos >= length:
                return False
            if line[pos] != ",":
                comma = line.find(",", pos)
                if comma < 0:
                    return False
                pos = comma
            pos += 1
        if pos >= length:
            return False
        if line[pos] == '"':
            inside, pos = True, pos + 1
            continue
        comma = line.find(",", pos)
        if comma < 0:
            return False
        pos = comma + 1


class CsvRecords:
    """The records of a CSV file, read from ``handle`` one at a time (an iterator).

    ``encoding`` is known once iteration starts; ``bytes_read`` says how far it got.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.encoding = UTF8
        self.bytes_read = 0
        self.lines_read = 0

    def _physical_lines(self) -> Iterator[bytes]:
        """Yield each physical line without its line break."""
        pending = b""
        while chunk := self._handle.read(CHUNK_BYTES):
            self.bytes_read += len(chunk)
            data = pending + chunk
            start = 0
            for end in _LINE_END.finditer(data):
                if end.group() == b"\r" and end.end() == len(data):
                    break  # perhaps the first half of \r\n: wait for the next chunk
                if end.start() - start > LINE_MAX_BYTES:
                    raise self._line_too_long()
                yield data[start : end.start()]
                start = end.end()
            pending = data[start:]
            if len(pending) > LINE_MAX_BYTES:
                raise self._line_too_long()
        if pending:
            pending = pending.removesuffix(b"\r")
            if len(pending) > LINE_MAX_BYTES:
                raise self._line_too_long()
            yield pending

    def _line_too_long(self) -> FileProblem:
        return FileProblem(
            gettext_noop(
                "line %(line)s is longer than %(limit)s bytes; this is not a timeline CSV "
                "(or its line breaks are missing)"
            ),
            line=self.lines_read + 1,
            limit=f"{LINE_MAX_BYTES:,}",
        )

    def _decoded_lines(self) -> Iterator[tuple[str, bool]]:
        """Yield each line as text, with whether it decoded without error."""
        prefix = self._handle.read(SNIFF_BYTES)
        self._handle.seek(0)
        self.encoding = detect_encoding(prefix.removeprefix(_BOM))
        other = CP932 if self.encoding == UTF8 else UTF8
        for number, raw in enumerate(self._physical_lines(), start=1):
            self.lines_read = number
            line = raw.removeprefix(_BOM) if number == 1 else raw
            for encoding in (self.encoding, other):
                try:
                    text = line.decode(encoding)
                except UnicodeDecodeError:
                    continue
                yield text, True
                break
            else:
                # Replacement characters never stand for a quote or a comma (both
                # encodings keep ASCII as it is), so the record's bounds stay right.
                yield line.decode(self.encoding, errors="replace"), False

    def __iter__(self) -> Iterator[Record]:
        lines: list[str] = []
        size = 0
        decoded = True
        inside = False
        first_line = 1
        for text, ok in self._decoded_lines():
            if not inside:
                first_line, lines, size, decoded = self.lines_read, [], 0, True
            decoded = decoded and ok
            size += len(text) + 1
            if size <= ROW_MAX_CHARS:
                lines.append(text + "\n")
            inside = _still_quoted(text, inside)
            if not inside:
                yield self._record(first_line, lines, size, decoded)
        if inside:
            raise FileProblem(
                gettext_noop(
                    "the quote opened on line %(line)s is never closed, so the rest of the "
                    "file would be one cell; check the quotes on that line"
                ),
                line=first_line,
            )

    def _record(self, first_line: int, lines: list[str], size: int, decoded: bool) -> Record:
        last_line = self.lines_read
        if not decoded:
            return Record(
                first_line,
                last_line,
                problem=Problem(gettext_noop("the row is neither UTF-8 nor Shift_JIS (CP932)")),
            )
        if size > ROW_MAX_CHARS:
            return Record(
                first_line,
                last_line,
                problem=Problem(
                    gettext_noop(
                        "the row is longer than %(limit)s characters (check for a quote "
                        "that is not closed where it should be)"
                    ),
                    {"limit": f"{ROW_MAX_CHARS:,}"},
                ),
            )
        reader = csv.reader(lines)
        try:
            cells = next(reader, [])
        except csv.Error:
            cells = None
        if cells is None or reader.line_num != len(lines):
            return Record(
                first_line,
                last_line,
                problem=Problem(gettext_noop("the row is not valid CSV; check its quotes")),
            )
        return Record(first_line, last_line, cells=cells)
