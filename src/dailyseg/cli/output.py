"""What the command line writes, and how it looks: the one place that decides.

A program reading the output (a pipe, a file) and a person reading it (a terminal) need different things.
A program needs each record whole on one line, with no colour, no box drawing and no wrapping, whatever
the width of any terminal; a person needs a table that fits the screen. The choice is made per stream at
the moment of writing, since standard output may go to a file while errors go to a terminal.

Either way, ids, dates and amounts are never cut: a table that cannot show them whole at the screen's width
is shown as records, one field a line. Text that came from a document, a path or a store (firm names,
labels, messages) is never read as console markup, and the control characters in it are shown escaped
(`\\x1b`, `\\n`), so no document can break a line or drive the terminal. JSON carries the text exactly.

Rich, which draws for terminals, is imported only when a terminal is there to draw on.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Literal

from dailyseg.cells import write_csv
from dailyseg.render.printable import printable

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

# What a column holds decides how it may be drawn: ids, amounts, dates, numbers and marks are never
# wrapped or cut; only text (names, labels, messages) may wrap.
Kind = Literal["id", "amount", "date", "number", "mark", "text"]
Value = str | int | Decimal | date | None
_WHOLE: frozenset[Kind] = frozenset({"id", "amount", "date", "number", "mark"})
_RIGHT: frozenset[Kind] = frozenset({"amount", "number"})

_TEXT_MIN = 16  # narrowest a wrapped text column may be and still be read

SEVERITY_STYLE = {"fatal": "bold red", "error": "red", "warning": "yellow", "notice": "cyan"}


@dataclass(frozen=True)
class Styled:
    """A value shown in a style on terminals (a severity in red); programs get the value alone."""

    value: Value
    style: str


Cell = Value | Styled


@dataclass(frozen=True)
class Column:
    """`name` heads the CSV column (stable, for programs); `heading` is what people read."""

    name: str
    heading: str = ""
    kind: Kind = "text"

    @property
    def title(self) -> str:
        return self.heading or self.name


@dataclass
class Listing:
    """Rows under named columns: drawn as a table for people, written as CSV for programs."""

    columns: Sequence[Column]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    title: str | None = None

    def add(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)


def _stream(err: bool) -> IO[str]:
    return sys.stderr if err else sys.stdout


def is_terminal(err: bool = False) -> bool:
    stream = _stream(err)
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _console(err: bool) -> Console:
    from rich.console import Console

    return Console(file=_stream(err), markup=False, highlight=False, emoji=False, soft_wrap=True)


def _raw(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _shown(value: Value, kind: Kind) -> str:
    """A value as people read it: amounts with thousands separators, text escaped."""
    if isinstance(value, Decimal) and kind == "amount":
        from dailyseg.money import format_amount

        return format_amount(value)
    if isinstance(value, int) and not isinstance(value, bool) and kind == "number":
        return f"{value:,}"
    return printable(_raw(value))


def _unstyled(cell: Cell) -> Value:
    return cell.value if isinstance(cell, Styled) else cell


def write(text: str, *, err: bool = False) -> None:
    """Text exactly as given (a rendered document, JSON), no styling, no wrapping."""
    stream = _stream(err)
    stream.write(text)
    stream.flush()


def say(*parts: str | tuple[str, str], err: bool = False) -> None:
    """One line. Plain strings are text from anywhere, shown escaped; (text, style) pairs are styled on terminals."""
    pieces = [(p, "") if isinstance(p, str) else p for p in parts]
    if not is_terminal(err):
        write("".join(printable(text) for text, _ in pieces) + "\n", err=err)
        return
    from rich.text import Text

    _console(err).print(Text.assemble(*((printable(text), style) for text, style in pieces)))


def error(message: str) -> None:
    say(("error:", "bold red"), " ", message, err=True)


def emit_json(data: Any) -> None:
    """JSON for programs: exact text (a lone surrogate, which UTF-8 cannot carry, is written as an escape)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2, ensure_ascii=True)
    write(text + "\n")


def show(listing: Listing, fmt: str = "table", *, err: bool = False) -> None:
    """Write a listing as CSV (`fmt="csv"`) or as a table: plain aligned columns in a pipe, fitted on a terminal."""
    if fmt == "csv":
        write(_csv(listing), err=err)
    elif is_terminal(err):
        _draw(listing, err)
    else:
        write(_plain(listing), err=err)


def _csv(listing: Listing) -> str:
    from io import StringIO

    buffer = StringIO()
    # Cells a spreadsheet shows as text: a firm name from a document may begin with "=" or "@".
    write_csv(buffer, [c.name for c in listing.columns], ([_raw(_unstyled(cell)) for cell in row] for row in listing.rows))
    return buffer.getvalue()


def _texts(listing: Listing) -> list[list[str]]:
    return [[_shown(_unstyled(cell), c.kind) for c, cell in zip(listing.columns, row, strict=True)] for row in listing.rows]


def _widths(listing: Listing, rows: list[list[str]]) -> list[int]:
    """Each column's natural width: its widest cell or its heading."""
    return [max([len(c.title), *(len(r[i]) for r in rows)]) for i, c in enumerate(listing.columns)]


def _style(cell: Cell) -> str:
    """A cell's style on terminals: its own, else red for a negative amount."""
    if isinstance(cell, Styled):
        return cell.style
    return "red" if isinstance(cell, Decimal) and cell < 0 else ""


def _plain(listing: Listing) -> str:
    """Columns aligned with spaces, one row a line, nothing cut and nothing wrapped, whatever the width."""
    headings = [c.title for c in listing.columns]
    rows = _texts(listing)
    widths = _widths(listing, rows)
    lines = [] if listing.title is None else [printable(listing.title)]
    for texts in [headings, *rows]:
        cells = [t.rjust(w) if c.kind in _RIGHT else t.ljust(w) for c, t, w in zip(listing.columns, texts, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _draw(listing: Listing, err: bool) -> None:
    """A table fitted to the terminal; records, one field a line, when whole ids and amounts cannot fit.

    Rich would fit any table by cutting cells with an ellipsis, or by dropping columns, so the fit is decided
    here: the whole-value columns at their full width plus the text columns at a readable minimum, plus two
    spaces between columns, must fit the screen.
    """
    from rich.table import Table
    from rich.text import Text

    console = _console(err)
    rows = _texts(listing)
    table = Table(
        title=printable(listing.title) if listing.title else None,
        title_justify="left",
        box=None,
        pad_edge=False,
        header_style="bold underline",
    )
    needed = 2 * len(listing.columns) - 2
    for c, natural in zip(listing.columns, _widths(listing, rows), strict=True):
        if c.kind in _WHOLE:
            table.add_column(c.title, no_wrap=True, min_width=natural, justify="right" if c.kind in _RIGHT else "left")
            needed += natural
        else:
            table.add_column(c.title, overflow="fold", min_width=min(natural, _TEXT_MIN))
            needed += min(natural, _TEXT_MIN)
    if needed > console.width:
        _records(console, listing, rows)
        return
    for cells, texts in zip(listing.rows, rows, strict=True):
        table.add_row(*(Text(t, style=_style(cell)) for cell, t in zip(cells, texts, strict=True)))
    console.print(table, soft_wrap=False)


def _records(console: Console, listing: Listing, rows: list[list[str]]) -> None:
    """Each row as a block of `heading  value` lines; long text wraps under its value, nothing is cut."""
    from rich.table import Table
    from rich.text import Text

    if listing.title:
        console.print(Text(printable(listing.title), style="bold"))
    label = max((len(c.title) for c in listing.columns), default=0)
    whole = max((len(t) for texts in rows for c, t in zip(listing.columns, texts, strict=True) if c.kind in _WHOLE), default=0)
    stacked = label + 2 + whole > console.width
    for number, (cells, texts) in enumerate(zip(listing.rows, rows, strict=True)):
        if number:
            console.print()
        if stacked:
            # Too narrow for heading and value side by side without cutting an id: each value under its heading.
            for c, cell, text in zip(listing.columns, cells, texts, strict=True):
                console.print(Text(c.title, style="dim"), soft_wrap=False)
                console.print(Text("  " + text, style=_style(cell)), soft_wrap=c.kind in _WHOLE)
            continue
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        for c, cell, text in zip(listing.columns, cells, texts, strict=True):
            grid.add_row(c.title, Text(text, style=_style(cell)))
        console.print(grid, soft_wrap=False)


def render(renderable: RenderableType, *, err: bool = False) -> None:
    """A Rich drawing, on a terminal only: callers give programs a plain form of their own."""
    _console(err).print(renderable)


@contextmanager
def progress(description: str, total: int, *, unit: str = "", enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Progress of long work on standard error, drawn only when a person is watching: yields `advance(n)`."""
    if not (enabled and is_terminal(err=True)):
        yield lambda _: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn(printable(description), markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit, markup=False),
        TimeRemainingColumn(),
        console=_console(True),
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def status(message: str, follow: Callable[[], str] | None = None) -> Iterator[None]:
    """A spinner while one long step runs, on terminals only; its text asked again of `follow` twice a second
    when given (a question that fails leaves the line as it was: the line only describes, the work reports)."""
    if not is_terminal(err=True):
        yield
        return
    with _console(True).status(printable(message)) as line:
        if follow is None:
            yield
            return
        stop = threading.Event()

        def update() -> None:
            while not stop.wait(0.5):
                try:
                    line.update(printable(follow()))
                except Exception:
                    return

        watcher = threading.Thread(target=update, name="status-line", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
