"""Text cells that a spreadsheet shows as text and never runs (OWASP's CSV-injection guidance).

A firm name or label read from a document can begin with `=`, `+`, `-`, `@`, a tab or a carriage return, which
a spreadsheet opening the CSV takes for a formula (`=HYPERLINK(...)`, `@SUM(...)`). Such a cell is written with
a leading apostrophe, which spreadsheets show as text. A number (`-1,234.50`) is left alone: it is shown as the
number it is and runs nothing. dailyseg reads its own CSV back exactly, so the apostrophe is taken off again,
and a text that itself begins with an apostrophe before one of those characters gets one more, making
`from_cell(to_cell(text)) == text` for every text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO

_TRIGGERS = frozenset("=+-@\t\r")
_ESCAPED = _TRIGGERS | {"'"}
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def to_cell(text: str) -> str:
    """The text as a CSV cell a spreadsheet cannot run."""
    first = text[:1]
    if (first in _TRIGGERS and not _NUMBER.fullmatch(text)) or (first == "'" and text[1:2] in _ESCAPED and len(text) > 1):
        return "'" + text
    return text


def from_cell(cell: str) -> str:
    """The text a cell written by `to_cell` holds."""
    return cell[1:] if cell[:1] == "'" and len(cell) > 1 and cell[1] in _ESCAPED else cell


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Rows of text as CSV with lines ending in LF, every cell made safe by `to_cell`.

    Python's csv module quotes a field holding the line terminator but not a lone carriage return, which a
    reader then takes for a line break inside an unquoted field; a row holding one is quoted whole.
    """
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    plain.writerow(header)
    for row in rows:
        cells = [to_cell(cell) for cell in row]
        (quoted if any("\r" in cell for cell in cells) else plain).writerow(cells)
