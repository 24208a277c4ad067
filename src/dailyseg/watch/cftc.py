"""The CFTC's monthly "Selected FCM Financial Data" table (CSV or XLSX), kept as month-end observations.

The table has a title row ("SELECTED FCM FINANCIAL DATA AS OF <date> FROM REPORTS FILED BY <date>") above
the header and one row per firm. Header wording varies between years and older tables lack columns
(targets, cleared swaps), so columns are recognised by the words in their header (`classify`), not by
position. A cell holding a footnote mark instead of a number is read as no value. Rows whose excess is not
funds minus requirement are flagged (the table is not corrected). Storing the rows, and reading them back,
is the store's (`Store.import_cftc_rows`, `Store.cftc_month_ends`): this module runs no SQL.
"""

from __future__ import annotations

import csv
import io
import re
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
TEXT_FIELDS = ("firm", "registered_as", "dsro", "as_of")
# Footnote marks: "(1)", "(a)", "*", superscript digits. A one- or two-character amount in parentheses
# ("(12)") therefore reads as a mark, never as a negative amount; no firm reports such an amount.
_FOOTNOTE = re.compile(r"(\(\s*[0-9a-z]{1,2}\s*\)|\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)")
_TITLE_DATE = re.compile(r"AS OF\s+([A-Za-z]+\s+\d{1,2},?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4})", re.IGNORECASE)


def _words(header: str) -> str:
    text = _FOOTNOTE.sub(" ", header.replace("\n", " ")).lower().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def classify(header: str) -> str | None:
    """The field a column holds, from its header's words ("Excess/Deficient Funds in Cleared Swap Seg" -> swaps_excess)."""
    h = _words(header)
    if not h:
        return None
    if "futures commission merchant" in h or h in ("fcm", "fcm name", "firm"):
        return "firm"
    if "registered" in h:
        return "registered_as"
    if "dsro" in h:
        return "dsro"
    if "as of" in h:
        return "as_of"
    if "net capital" in h:
        return "net_capital_excess" if "excess" in h else "net_capital_requirement" if "requirement" in h else "net_capital"
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
    """The sheet as rows of cells: the first worksheet of an XLSX, or a CSV (UTF-8, else Windows-1252)."""
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
    return [list(row) for row in csv.reader(io.StringIO(text))]


def parse_table(cells: Sequence[Sequence[object]], source: str) -> CftcTable:
    """Find the title and the header, then read one observation per firm row."""
    title_date = None
    header_at = None
    for index, row in enumerate(cells[:30]):
        joined = " ".join(str(c) for c in row if c is not None)
        match = _TITLE_DATE.search(joined)
        if match and title_date is None:
            title_date = _date(match.group(1).strip())
        if "firm" in [classify(str(c)) for c in row if c is not None]:
            header_at = index
            break
    table = CftcTable(source, title_date)
    if header_at is None:
        table.skipped.append(f"{source}: no header row naming the 'Futures Commission Merchant' column in the first 30 rows")
        return table
    columns: dict[int, str] = {}
    for position, cell in enumerate(cells[header_at]):
        kind = classify(str(cell)) if cell is not None else None
        if kind is not None and kind not in columns.values():
            columns[position] = kind
            table.columns[kind] = str(cell).strip()
    for number, row in enumerate(cells[header_at + 1 :], start=header_at + 2):
        parsed = _row(row, columns, number, title_date, source)
        if isinstance(parsed, CftcRow):
            table.rows.append(parsed)
        elif parsed:
            table.skipped.append(parsed)
    return table


def _row(row: Sequence[object], columns: dict[int, str], number: int, title_date: date | None, source: str) -> CftcRow | str:
    cells = {kind: row[position] if position < len(row) else None for position, kind in columns.items()}
    firm = _FOOTNOTE.sub("", str(cells.get("firm") or "")).strip()
    if not firm or not any(v not in (None, "") for k, v in cells.items() if k not in TEXT_FIELDS):
        return ""  # a blank, note or heading row
    if firm.lower().startswith(("total", "note", "source")):
        return f"{source}:{number}: skipped the summary row {firm!r}"
    as_of = _date(cells.get("as_of")) or title_date
    if as_of is None:
        return f"{source}:{number}: {firm}: no As of Date in the row or the title"
    values: dict[str, Decimal] = {}
    notes = []
    for kind, value in cells.items():
        if kind in TEXT_FIELDS or value in (None, ""):
            continue
        amount = parse_cell(value)
        if amount is None:
            notes.append(f"{kind}: {str(value).strip()!r} is not a number (a footnote mark?)")
        elif amount != amount.to_integral_value() and amount * 100 != (amount * 100).to_integral_value():
            notes.append(f"{kind}: {amount} has a fraction of a cent")
        else:
            values[kind] = amount
    text = {k: _FOOTNOTE.sub("", str(cells.get(k) or "")).strip() for k in ("registered_as", "dsro")}
    return CftcRow(number, firm, text["registered_as"], text["dsro"], as_of, values, tuple(notes))


@dataclass(frozen=True)
class ImportReport:
    source: str
    imported: int
    already_present: int
    flagged: list[tuple[CftcRow, list[str]]]
    skipped: list[str]
    notes: list[str]
    columns: dict[str, str]


def import_table(store: Store, path: Path) -> ImportReport:
    """Read the table at `path` and store its rows (one transaction; a row already stored is skipped)."""
    table = parse_table(read_cells(path), str(path))
    imported, present = store.import_cftc_rows(table.rows, source=str(path))
    flagged = [(r, m) for r in table.rows if (m := r.mismatches())]
    notes = [f"{table.source}:{r.line}: {r.firm}: {note}" for r in table.rows for note in r.notes]
    return ImportReport(str(path), imported, present, flagged, table.skipped, notes, table.columns)
