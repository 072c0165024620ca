"""CSV cells that a spreadsheet shows as text: formula neutralisation for every CSV export.

Excel, LibreOffice Calc and Google Sheets evaluate a cell that begins with ``=``, ``+``,
``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a leading tab
or carriage return can hide such a character from a reader's eye. hikeshi exports texts an
attacker controls (log lines, device names, imported cells), so every CSV it writes passes
its cells through :func:`text_cell`, which prefixes such a value with a single quote — the
OWASP "CSV injection" guidance. Spreadsheets then show the value as text; a program reading
the CSV sees the quote and can remove it (the timeline import does). Plain Python, no Django,
so the guidance export and the CLI use the same rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# The first characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The prefix that makes a spreadsheet take the rest of the cell as text.
TEXT_PREFIX = "'"
# Written first by an export meant for Excel: without it Excel reads UTF-8 as the local
# code page (CP932 on Japanese Windows) and shows the text garbled.
UTF8_BOM = "\ufeff"

Cell = str | int | float | None


def text_cell(value: Cell) -> Cell:
    """Return ``value``, prefixed with a single quote when a spreadsheet would evaluate it.

    Numbers are left alone (a negative number is a number, not a formula); only texts are
    attacker-controlled.
    """
    if isinstance(value, str) and _needs_prefix(value):
        return TEXT_PREFIX + value
    return value


def restore_text(value: str) -> str:
    """Return ``value`` without the quote :func:`text_cell` put before it."""
    if value.startswith(TEXT_PREFIX) and _needs_prefix(value[1:]):
        return value[1:]
    return value


def _needs_prefix(value: str) -> bool:
    # Quotes already in front count too ("'=x" becomes "''=x"), so that restore_text
    # gives back exactly what was written, quotes included.
    return value.lstrip(TEXT_PREFIX).startswith(FORMULA_STARTS)


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool = False
) -> Iterator[str]:
    """Yield the CSV text line by line (a record at a time), header first, cells neutralised.

    Streams: only one record is held at a time, however many rows there are. ``bom``
    starts the output with the UTF-8 byte order mark, for Excel.
    """
    buffer = io.StringIO()
    # CRLF, as RFC 4180 and Excel have it. Not "\n": the writer quotes a cell only for the
    # characters of its line terminator, and an unquoted "\r" inside a cell would end the
    # row in every reader, starting a new one with whatever follows (a formula, say).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([text_cell(name) for name in header])
    yield (UTF8_BOM if bom else "") + _drain(buffer)
    for row in rows:
        writer.writerow([text_cell(cell) for cell in row])
        yield _drain(buffer)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool = False) -> str:
    """Return the whole CSV text of ``rows`` (for small exports built in memory)."""
    return "".join(csv_lines(header, rows, bom=bom))


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
