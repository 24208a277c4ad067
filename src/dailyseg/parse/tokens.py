"""The tokens of a line of statement text: one pattern, and a compiled scanner that gives the same tokens faster.

The pattern (`TOKEN`) is the definition; `scan_pure` applies it. The C extension `dailyseg.parse._tokens`,
built by `./install` when a compiler is there, follows the same pattern by hand for ASCII lines, because
CPython's regex engine trying the pattern at every position of a label is the reader's largest cost; it hands
back to the pattern what it does not cover (see `_tokens.c`). `scan` uses the extension unless it is absent or
`DAILYSEG_PURE=1` is set, so the pure path stays one switch away and both are tested against each other.

The extension also reads a plain document whole (`read_plain_events`): the per-line work of the text reader
(markup, header fields, tokens, amounts and entries) in one pass, for `TextReader.read_plain` to assemble.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dailyseg.filing import Entry

# ASCII digits only (`\d` would take "٧٠١٠" or "𝟳𝟬𝟭𝟬" for 7010).
_AMOUNT = r"(?:\(\$?[0-9][0-9,]*(?:\.[0-9]+)?\)|[-+]?\$?[0-9][0-9,]*(?:\.[0-9]+)?)"
# A run of amounts never swallows a line marker ("3 25. Cash" is the amount 3, then line 25).
# The run is bounded: an unbounded run retried from each of its amounts is quadratic in a long line of numbers.
_AMOUNTS = rf"{_AMOUNT}(?:[ \t]+{_AMOUNT}(?![0-9,]|\.\s)){{0,7}}"
_MARKER = r"(?<!\S)(?:(?P<line>[0-9]{1,2})|(?P<letter>[A-E]))\.(?=\s)"
_PIECE_END = r"(?=\s*$|\s+(?:[0-9]{1,2}|[A-E])\.\s)"
# The statement text of a line in one pass: a line marker, or a run of amounts that is either coded
# (`1,234 [7010]`, `0 0 [8715]`) or ends its piece (the end of the line or the next marker); a run glued to
# the `]` of a pair (`[7520]5`) counts only when it ends its piece. The leading lookahead (the characters a
# token can start with) lets most positions of a label fail on one test instead of three lookbehinds.
TOKEN = re.compile(
    r"(?=[\d(+$A-E-])"
    rf"(?:{_MARKER}"
    rf"|(?<![\w.,)\](])(?P<amounts>{_AMOUNTS})(?:[ \t]*\[(?P<code>[0-9]{{3,5}})\]|(?P<end>){_PIECE_END})?"
    rf"|(?<=[0-9]\])(?P<glued>{_AMOUNTS}){_PIECE_END})"
)

# start, end, line number, letter, run of amounts, code, whether the run ends its piece, glued run, start of the code (-1 without).
Token = tuple[int, int, str | None, str | None, str | None, str | None, bool, str | None, int]
Scanner = Callable[[str], list[Token]]


def scan_pure(text: str) -> list[Token]:
    """The tokens of `TOKEN` over `text`, in order."""
    return [
        (m.start(), m.end(), number, letter, run, code, end is not None, glued, m.start("code"))
        for m in TOKEN.finditer(text)
        for number, letter, run, code, end, glued in (m.groups(),)
    ]


try:
    from dailyseg.parse import _tokens
except ImportError:  # not built: no compiler when the package was installed
    _tokens = None  # type: ignore[assignment]

_COMPILED_SCAN = _tokens.scan if _tokens is not None else None
BUILT = _tokens is not None
# The extension is used unless absent or `DAILYSEG_PURE=1` asks for the pattern alone.
COMPILED = BUILT and os.environ.get("DAILYSEG_PURE") != "1"

# The events of the extension's plain-document reader (`read_plain` in `_tokens.c`), told apart by their first item:
# (PLAIN_STATUS, line, status), (PLAIN_FIELD, line, name as printed, value), (PLAIN_HEADING, line, statement,
# {ref: Entry}, {ref: amount in integer cents}) and (PLAIN_COVER, line, a line of the cover page's text).
PLAIN_STATUS, PLAIN_FIELD, PLAIN_HEADING, PLAIN_COVER = 0, 1, 2, 3
PlainEvent = tuple[Any, ...]


def read_plain_events(
    text: str,
    headings: tuple[tuple[str, str], ...],
    statement_of: dict[str, str],
    components: dict[tuple[str, str, str], str],
    decimal: type[Decimal],
    entry: type[Entry],
) -> list[PlainEvent] | None:
    """The extension's events for a plain document; None where the document is not plain or no extension is built."""
    if _tokens is None:
        return None
    return _tokens.read_plain(text, headings, statement_of, components, decimal, entry)


def scan_compiled(text: str) -> list[Token]:
    """The extension's tokens where it reads the line, else the pattern's (also when the extension is absent)."""
    tokens = _COMPILED_SCAN(text) if _COMPILED_SCAN is not None else None
    return scan_pure(text) if tokens is None else tokens


scan: Scanner = scan_compiled if COMPILED else scan_pure
