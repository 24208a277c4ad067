"""The CFTC's monthly "Selected FCM Financial Data" table (CSV, XLSX or fixed-width text), kept as month-end observations.

The table has a title ("SELECTED FCM FINANCIAL DATA AS OF <date> FROM REPORTS FILED BY <date>", on one row,
split over several, or missing) above the header and one row per firm, in any order. The table changed shape
about five times between 2006 and 2016: wording, which columns exist (30.7 from 2008, targets and cleared swaps
from 2016), the firm's own "A/O Date" and a "B/D?" flag in the oldest. Those shapes are data (`KNOWN_COLUMNS`,
`ERAS`), not code per era, so a sixth shape is a line in a table; wording not seen before still falls to the
general word rules of `classify`. Columns are recognised by header, never by position, and every headed column
is kept: the yes/no "B/D?" as a flag, and a column this module does not know as text of the row
(`CftcRow.texts`, the cell as written, footnote marks and all), both stored beside the amounts.
A cell holding a footnote mark instead of a number is read as no value. Rows whose excess is not funds minus
requirement are flagged (the table is not corrected); a row is refused only with its reason. Storing the rows,
and reading them back, is the store's (`Store.import_cftc_rows`, `Store.cftc_month_ends`): this module runs
no SQL.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from dailyseg.money import format_amount

if TYPE_CHECKING:
    from dailyseg.store import Store

POOLS = ("seg", "secured", "swaps")
TEXT_FIELDS = ("firm", "registered_as", "dsro", "as_of", "broker_dealer")
# Yes/no columns: stored as flags, since the store's values are amounts.
FLAG_FIELDS = ("broker_dealer",)
_YES_NO = {"y": True, "yes": True, "n": False, "no": False}
# A column the table has but no field stands for is kept as text under this prefix and its header's words.
OTHER = "other:"
# Footnote marks: "(1)", "(a)", "*", superscript digits. A one- or two-character amount in parentheses
# ("(12)") therefore reads as a mark, never as a negative amount; no firm reports such an amount.
_FOOTNOTE = re.compile(r"(\(\s*[0-9a-z]{1,2}\s*\)|\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)")
_TITLE_DATE = re.compile(r"AS OF\s+([A-Za-z]+\s+\d{1,2},?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4})", re.IGNORECASE)


@dataclass(frozen=True)
class Era:
    """One shape of the table and the as-of months it was published for (recorded, not yet checked against titles)."""

    name: str
    first: date
    last: date | None


ERAS = (
    Era("2006", date(2006, 1, 1), date(2007, 12, 31)),  # A/O Date, Reg As, B/D?; segregation only
    Era("2008", date(2008, 1, 1), date(2010, 12, 31)),  # 30.7 columns arrive
    Era("2011", date(2011, 1, 1), date(2012, 12, 31)),  # As of Date, Registered As, DSRO; no B/D?; upper case
    Era("2013", date(2013, 1, 1), date(2015, 12, 31)),  # mixed case, retail forex
    Era("2016", date(2016, 1, 1), None),  # targets and cleared swaps
)
_ALL = tuple(e.name for e in ERAS)

# The header words (as `_words` leaves them) each field was published under, and the eras that used them.
# Wording not listed here is still read by the general rules of `classify`; listing it records where it belongs.
KNOWN_COLUMNS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("firm", ("futures commission merchant", "fcm", "fcm name", "firm", "name of fcm"), _ALL),
    ("firm", ("futures commission merchant / retail foreign exchange dealer",), ("2013", "2016")),
    ("registered_as", ("reg as", "reg. as"), ("2006", "2008")),
    ("registered_as", ("registered as",), ("2011", "2013", "2016")),
    ("broker_dealer", ("b/d?", "b/d", "bd?"), ("2006", "2008")),
    ("dsro", ("dsro",), _ALL),
    ("as_of", ("a/o date", "a/o"), ("2006", "2008")),
    ("as_of", ("as of date",), ("2011", "2013", "2016")),
    ("net_capital", ("adj net capital", "adj. net capital"), ("2006", "2008")),
    ("net_capital", ("adjusted net capital",), ("2011", "2013", "2016")),
    ("net_capital_requirement", ("net capital req", "net capital req."), ("2006", "2008")),
    ("net_capital_requirement", ("net capital requirement",), ("2011", "2013", "2016")),
    ("net_capital_excess", ("excess net capital",), _ALL),
    ("seg_funds", ("cust seg assets", "customer seg assets"), ("2006", "2008")),
    ("seg_funds", ("customers' assets in segregation",), ("2011",)),
    ("seg_funds", ("customers' assets in seg",), ("2013", "2016")),
    ("seg_required", ("cust seg required", "customer seg required"), ("2006", "2008")),
    ("seg_required", ("customers' segregation required",), ("2011",)),
    ("seg_required", ("customers' seg required 4d",), ("2013", "2016")),
    ("seg_excess", ("excess seg funds", "excess/deficient seg funds"), ("2006", "2008")),
    ("seg_excess", ("excess/deficient funds in segregation",), ("2011",)),
    ("seg_excess", ("excess/deficient funds in seg",), ("2013", "2016")),
    ("seg_target", ("target residual interest in seg",), ("2016",)),
    ("secured_funds", ("funds in sep. 30.7 accounts", "30.7 funds"), ("2008",)),
    ("secured_funds", ("funds in separate sect. 30.7 accounts",), ("2011",)),
    ("secured_funds", ("funds in separate section 30.7 accounts",), ("2013", "2016")),
    ("secured_required", ("30.7 required", "sec. 30.7 required"), ("2008",)),
    ("secured_required", ("customer amount part 30 required",), ("2011",)),
    ("secured_required", ("customer amount pt. 30 required",), ("2013", "2016")),
    ("secured_excess", ("excess 30.7 funds", "excess/deficient 30.7 funds"), ("2008",)),
    ("secured_excess", ("excess/deficient funds in separate sect. 30.7 accounts",), ("2011",)),
    ("secured_excess", ("excess/deficient funds in separate section 30.7 accounts",), ("2013", "2016")),
    ("secured_target", ("target residual interest in section 30.7",), ("2016",)),
    ("swaps_funds", ("funds in separate cleared swap segregation accounts",), ("2016",)),
    ("swaps_required", ("customer amount cleared swap seg required",), ("2016",)),
    ("swaps_excess", ("excess/deficient funds in cleared swap seg",), ("2016",)),
    ("swaps_target", ("target residual interest in cleared swap seg",), ("2016",)),
    ("retail_forex", ("total amount of retail forex obligation",), ("2013", "2016")),
)
_KNOWN = {words: (kind, eras) for kind, spellings, eras in KNOWN_COLUMNS for words in spellings}


def _arrivals() -> dict[str, set[str]]:
    seen: set[str] = set()
    arrived: dict[str, set[str]] = {}
    for index, era in enumerate(ERAS):
        fields = {kind for kind, _, eras in KNOWN_COLUMNS if era.name in eras}
        arrived[era.name] = fields - seen if index else set()
        seen |= fields
    return arrived


def eras_of(headers: Sequence[str]) -> list[str]:
    """The eras a table's headers fit: where a table is from when its title is lost (shown in the import report).

    An era fits when every header it knows is wording that era used, and the table has at least one of the
    columns the era brought (a table with no target and no cleared swaps column is not of 2016, whatever its
    wording).
    """
    arrivals = _arrivals()
    fields = {classify(h) for h in headers}
    fitting = [e.name for e in ERAS if not arrivals[e.name] or arrivals[e.name] & fields]
    for header in headers:
        known = _KNOWN.get(_words(header))
        if known is not None:
            fitting = [e for e in fitting if e in known[1]]
    return fitting


def _words(header: str) -> str:
    text = _FOOTNOTE.sub(" ", header.replace("\n", " ")).lower().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def classify(header: str) -> str | None:
    """The field a column holds, from its header's words ("Excess/Deficient Funds in Cleared Swap Seg" -> swaps_excess)."""
    h = _words(header)
    if not h:
        return None
    return _KNOWN[h][0] if h in _KNOWN else by_general_words(h)


def by_general_words(h: str) -> str | None:
    """The field of header words no era lists: the table never stops a new wording of an old column being read."""
    if "futures commission merchant" in h or h in ("fcm", "fcm name", "name of fcm", "firm"):
        return "firm"
    if "registered" in h or "registration" in h or h.startswith(("reg ", "reg. ")):
        return "registered_as"
    if "dsro" in h:
        return "dsro"
    if "as of" in h or h.startswith("a/o"):
        return "as_of"
    if h.rstrip("?").strip() in ("b/d", "bd", "broker dealer", "broker-dealer"):
        return "broker_dealer"
    if "net capital" in h:
        if "excess" in h:
            return "net_capital_excess"
        return "net_capital_requirement" if "requirement" in h or re.search(r"\breq\b", h) else "net_capital"
    if "forex" in h:
        return "retail_forex"
    if "30.7" in h or "pt. 30" in h or "part 30" in h or "secured" in h:
        pool = "secured"
    elif "swap" in h:
        pool = "swaps"
    elif "seg" in h:
        pool = "seg"
    else:
        return None
    if "target" in h:
        return f"{pool}_target"
    if "excess" in h or "deficien" in h:
        return f"{pool}_excess"
    if "required" in h or "requirement" in h:
        return f"{pool}_required"
    if "funds" in h or "assets" in h:
        return f"{pool}_funds"
    return None


def parse_cell(value: object) -> Decimal | None:
    """An amount from a cell: numbers, "1,234", "$(1,234)"; a footnote mark or blank gives None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest decimal that is this float: exact for whole dollars
    text = _FOOTNOTE.sub("", str(value)).replace("$", "").replace(",", "").strip()
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return -amount if negative else amount


@dataclass(frozen=True)
class CftcRow:
    line: int
    firm: str
    registered_as: str
    dsro: str
    as_of: date
    values: dict[str, Decimal]
    notes: tuple[str, ...] = ()
    # Yes/no columns (`FLAG_FIELDS`) and the text of columns no field stands for (`OTHER` + header words):
    # stored so that no column of the table is lost, though no comparison uses them yet.
    flags: dict[str, bool] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def mismatches(self) -> list[str]:
        """Pools whose excess is not funds minus requirement, described."""
        found = []
        for pool in POOLS:
            funds, required, excess = (self.values.get(f"{pool}_{k}") for k in ("funds", "required", "excess"))
            if funds is not None and required is not None and excess is not None and excess != funds - required:
                found.append(
                    f"{pool}: excess {format_amount(excess)} but funds - required = {format_amount(funds - required)} "
                    f"(difference {format_amount(excess - (funds - required))})"
                )
        return found


@dataclass
class CftcTable:
    source: str
    title_date: date | None
    rows: list[CftcRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    eras: list[str] = field(default_factory=list)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%B %d, %Y", "%B %d %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_cells(path: Path) -> list[list[object]]:
    """The sheet as rows of cells: the first worksheet of an XLSX, fixed-width text (.txt, .prn), or a CSV (UTF-8, else Windows-1252)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if path.suffix.lower() in (".txt", ".prn"):
        return fixed_width_cells(text)
    return [list(row) for row in csv.reader(io.StringIO(text))]


_GAP = re.compile(r"\S(?:\s{2,})\S")


def fixed_width_cells(text: str) -> list[list[object]]:
    """The cells of a table printed in fixed-width columns (the oldest tables were published as text).

    Columns are the runs of characters between positions blank on every tabular line (one with two or more
    fields set apart by two or more spaces), so an empty cell keeps its place instead of moving its
    neighbours left. A line that is not tabular (title, footnote) is one cell, as a spreadsheet would hold it.
    The header must fit on one line.
    """
    lines = [line.rstrip() for line in text.expandtabs().splitlines()]
    tabular = [line for line in lines if _GAP.search(line.strip())]
    # Marked line by line (each character once), not column by column over every line: a long line among
    # many short ones would otherwise cost their product.
    width = max((len(line) for line in tabular), default=0)
    inked = [False] * width
    for line in tabular:
        for i, character in enumerate(line):
            if not character.isspace():
                inked[i] = True
    spans: list[tuple[int, int]] = []
    for i, ink in enumerate(inked):
        if not ink:
            continue
        if spans and i - spans[-1][1] < 2:  # one blank between words of a cell ("Big Clearing Corp") is no gap
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    starts = [a for a, _ in spans]
    cells: list[list[object]] = []
    for line in lines:
        if not _GAP.search(line.strip()):
            cells.append([line.strip()] if line.strip() else [])
            continue
        # Only the columns the line reaches: a short line beside a line of many columns costs its own length.
        reached = bisect_left(starts, len(line))
        cells.append([line[a:b].strip() or None for a, b in spans[:reached]])
    return cells


# The CFTC's tables have had some two dozen columns (`KNOWN_COLUMNS`); a header naming hundreds is no such
# table, and reading each of its rows against every column would cost rows times columns.
MAX_COLUMNS = 200


def parse_table(cells: Sequence[Sequence[object]], source: str) -> CftcTable:
    """Find the title and the header, then read one observation per firm row.

    The title is read from every row above the header together, because older tables split it over
    several rows (the "AS OF" date may sit on a row of its own); a table without one is read too, its rows
    then needing their own date.
    """
    header_at = None
    for index, row in enumerate(cells[:30]):
        if "firm" in [classify(str(c)) for c in row if c is not None]:
            header_at = index
            break
    above = cells[:30] if header_at is None else cells[:header_at]
    match = _TITLE_DATE.search(" ".join(str(c) for row in above for c in row if c is not None and str(c).strip()))
    title_date = _date(match.group(1).strip()) if match else None
    table = CftcTable(source, title_date)
    if header_at is None:
        table.skipped.append(f"{source}: no header row naming the 'Futures Commission Merchant' column in the first 30 rows")
        return table
    named = sum(1 for cell in cells[header_at] if cell is not None and str(cell).strip())
    if named > MAX_COLUMNS:
        table.skipped.append(
            f"{source}:{header_at + 1}: the header names {named:,} columns; a CFTC table has at most {MAX_COLUMNS}: not read"
        )
        return table
    columns: dict[int, str] = {}
    headers = []
    for position, cell in enumerate(cells[header_at]):
        header = "" if cell is None else str(cell).strip()
        if not header:
            continue  # spreadsheet row numbers, or an empty spacer column: nothing a header names
        headers.append(header)
        kind = classify(header)
        if kind is None or kind in columns.values():
            kind = f"{OTHER}{_words(header)}"
            if kind in columns.values():
                kind = f"{kind} ({position + 1})"
        columns[position] = kind
        table.columns[kind] = header
    table.eras = eras_of(headers)
    for number, row in enumerate(cells[header_at + 1 :], start=header_at + 2):
        parsed = _row(row, columns, number, title_date, source)
        if isinstance(parsed, CftcRow):
            table.rows.append(parsed)
        elif parsed:
            table.skipped.append(parsed)
    return table


def _text(value: object) -> str:
    return _FOOTNOTE.sub("", "" if value is None else str(value)).strip()


def _cell_text(value: object) -> str:
    """A cell of a column no field stands for, as written: nothing is known of it, so nothing is taken out."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _row(row: Sequence[object], columns: dict[int, str], number: int, title_date: date | None, source: str) -> CftcRow | str:
    """The row's observation, or why it was refused ("" for a row that is no firm's: blank, a note, a heading)."""
    cells = {kind: row[position] if position < len(row) else None for position, kind in columns.items()}
    firm = _text(cells.get("firm"))
    filled = [k for k, v in cells.items() if k != "firm" and v is not None and str(v).strip()]
    if not firm or not filled:
        return ""
    if firm.lower().startswith(("total", "note", "source")):
        return f"{source}:{number}: skipped the summary row {firm!r}"
    figures = [k for k in filled if k not in TEXT_FIELDS and not k.startswith(OTHER)]
    if not figures:
        return f"{source}:{number}: {firm}: refused: no figure in the row"
    written = cells.get("as_of")
    dated = isinstance(written, date) or bool(_text(written))  # a footnote mark alone is no date: the title's holds
    as_of = _date(written if isinstance(written, date) else _text(written)) if dated else title_date
    if as_of is None:
        if dated:
            return f"{source}:{number}: {firm}: refused: the As of Date {str(written).strip()!r} is not a date"
        return f"{source}:{number}: {firm}: no As of Date in the row or the title"
    values: dict[str, Decimal] = {}
    notes = []
    for kind in figures:
        value = cells[kind]
        amount = parse_cell(value)
        if amount is None:
            notes.append(f"{kind}: {str(value).strip()!r} is not a number (a footnote mark?)")
        elif amount != amount.to_integral_value() and amount * 100 != (amount * 100).to_integral_value():
            notes.append(f"{kind}: {amount} has a fraction of a cent")
        else:
            values[kind] = amount
    flags: dict[str, bool] = {}
    for kind in FLAG_FIELDS:
        if kind in filled:
            flag = _YES_NO.get(_text(cells[kind]).lower())
            if flag is None:
                notes.append(f"{kind}: {str(cells[kind]).strip()!r} is neither Y nor N")
            else:
                flags[kind] = flag
    texts = {k: _cell_text(cells[k]) for k in sorted(filled) if k.startswith(OTHER)}
    ordered = {k: values[k] for k in sorted(values)}
    return CftcRow(number, firm, _text(cells.get("registered_as")), _text(cells.get("dsro")), as_of, ordered, tuple(notes), flags, texts)


@dataclass(frozen=True)
class ImportReport:
    source: str
    imported: int
    already_present: int
    flagged: list[tuple[CftcRow, list[str]]]
    skipped: list[str]
    notes: list[str]
    columns: dict[str, str]
    rows: list[CftcRow] = field(default_factory=list)
    eras: list[str] = field(default_factory=list)


def import_table(store: Store, path: Path) -> ImportReport:
    """Read the table at `path` and store its rows (one transaction; a row already stored is skipped)."""
    table = parse_table(read_cells(path), str(path))
    imported, present = store.import_cftc_rows(table.rows, source=str(path))
    flagged = [(r, m) for r in table.rows if (m := r.mismatches())]
    notes = [f"{table.source}:{r.line}: {r.firm}: {note}" for r in table.rows for note in r.notes]
    return ImportReport(str(path), imported, present, flagged, table.skipped, notes, table.columns, table.rows, table.eras)
