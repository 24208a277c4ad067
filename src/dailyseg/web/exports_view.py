"""The pages' tables as files: CSV for every table, XLSX for the ones a spreadsheet user works in, charts as images.

A table is made once (`Table`: a title, column names, rows of typed cells) from the same values the page
shows, and written in either format, so a download holds what the page lists. Every text cell goes through
`dailyseg.cells.to_cell`, so a firm name beginning with `=` is shown as text and never run.

Amounts are exact in both formats:

* CSV: a Decimal is written as its exact text (`-3604516`, `12.34`), a date as ISO 8601, none as an empty cell.
* XLSX: a spreadsheet keeps numbers as binary doubles, which hold 15 significant digits. An amount that a
  double gives back exactly (the decimal read back from the stored double is the amount: every amount of a
  filing, whole dollars below 10**15) is a number in the money format `#,##0;(#,##0)` (`#,##0.00;(#,##0.00)`
  with cents; negatives in parentheses, as the pages print them), so it can be summed; one that a double would
  round is written as text, never a number that differs from the filing. Percentages are numbers with two
  places, dates are dates, and text is never a formula.

Charts as images are the publish page's chart (`watch.publish.chart_spec`, Altair rendered offline by
vl-convert) over the figures the firm page's chart draws (`web.charts.chart_of`) for the range asked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi.responses import Response

from dailyseg.catalogue import CATALOGUE
from dailyseg.cells import to_cell, write_csv
from dailyseg.shapes import ChartOut
from dailyseg.store import FilingVersion
from dailyseg.store.diff import LineChange
from dailyseg.watch.publish import DayFigures, Publication, chart_spec
from dailyseg.web.history_view import HISTORY_PARTS, ROW_MARKS, HistoryRow, shown_columns, value
from dailyseg.web.overview_view import GROUP_TITLES, Board, FeedEvent, Share, Totals
from dailyseg.web.views import MARKS, Day, FirmRow, Part, StatementColumn

Cell = str | Decimal | date | int | None
MONEY_FORMAT = "#,##0.00;(#,##0.00)"
WHOLE_MONEY_FORMAT = "#,##0;(#,##0)"
PERCENT_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
# The characters a download's file name keeps; anything else (a quote, a slash, a space) becomes a hyphen.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Column:
    """A table's column: its title, and whether its numbers are percentages (the others are amounts or counts)."""

    title: str
    percent: bool = False


@dataclass(frozen=True)
class Table:
    """A page's table as data: its sheet title, its columns and its rows of typed cells."""

    title: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]


def text_of(cell: Cell) -> str:
    """A cell as CSV text: an exact Decimal, an ISO date, nothing for none."""
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    write_csv(out, [c.title for c in table.columns], ([text_of(cell) for cell in row] for row in table.rows))
    return out.getvalue().encode("utf-8")


def exact_in_a_double(amount: Decimal) -> bool:
    """Whether a spreadsheet's binary double holds `amount` so that it reads back as the same decimal."""
    return amount.is_finite() and Decimal(repr(float(amount))) == amount


def xlsx_bytes(table: Table) -> bytes:
    """The table as a one-sheet workbook: a bold, frozen header row, typed cells (see the module's note)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = _UNSAFE.sub("-", table.title)[:31] or "table"
    sheet.append([to_cell(c.title) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for r, row in enumerate(table.rows, start=2):
        for c, (column, item) in enumerate(zip(table.columns, row, strict=True), start=1):
            target = sheet.cell(row=r, column=c)
            if item is None:
                continue
            if isinstance(item, Decimal) and exact_in_a_double(item):
                target.value = float(item)
                target.number_format = PERCENT_FORMAT if column.percent else MONEY_FORMAT if item % 1 else WHOLE_MONEY_FORMAT
            elif isinstance(item, date):
                target.value = item
                target.number_format = DATE_FORMAT
            elif isinstance(item, int):
                target.value = item
            else:
                target.value = to_cell(text_of(item))
                target.data_type = "s"  # never a formula, whatever the text
    for c, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = max(10, min(40, len(column.title) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def safe_name(*parts: str) -> str:
    """A download's file name from its parts: letters, digits, dots, hyphens and underscores only."""
    return "-".join(p for p in (_UNSAFE.sub("-", part).strip("-.") for part in parts) if p) or "export"


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}


def download(body: bytes, name: str, suffix: str) -> Response:
    """A file to save, under a safe name (quoted, never holding a quote)."""
    return Response(body, media_type=MEDIA[suffix], headers={"content-disposition": f'attachment; filename="{name}.{suffix}"'})


def table_file(table: Table, name: str, suffix: Literal["csv", "xlsx"]) -> Response:
    return download(csv_bytes(table) if suffix == "csv" else xlsx_bytes(table), name, suffix)


# -- the pages' tables ----------------------------------------------------------------------------------------


def _marks_text(rules: Iterable[str], known: dict[str, tuple[str, str, str]] = MARKS) -> str:
    """A row's marks as the page prints them: tag and word, separated by semicolons."""
    return "; ".join(" ".join(w for w in known[rule][:2] if w) for rule in rules)


def firms_table(rows: Sequence[FirmRow], columns: Sequence[StatementColumn], parts: Sequence[Part]) -> Table:
    """The firms list, in the order shown, with the figures of the grid shown (compact or full)."""
    head = (Column("Firm id"), Column("Firm"), Column("Status"))
    figures = tuple(Column(f"{c.title} {p.label}", percent=p.percent) for c in columns for p in parts)
    body = [
        (
            r.firm.firm_id,
            r.firm.name,
            " ".join(r.firm.status) or "ok",
            *(s.value(p.id) if (s := r.firm.statements.get(c.id)) else None for c in columns for p in parts),
            r.firm.latest_end_date,
        )
        for r in rows
    ]
    return Table("firms", (*head, *figures, Column("Latest")), body)


def _versions(day: Day) -> str:
    return ", ".join(f"v{v.version} {v.status.lower()}" + (" (of record)" if v.is_record else "") for v in day.versions)


def history_table(rows: Sequence[HistoryRow]) -> Table:
    """A firm's days as the firm page's table lists them: marks, status, submission, figures, versions."""
    columns = shown_columns(list(rows))
    head = (Column("End Date"), Column("Marks"), Column("Status"), Column("Submitted"))
    figures = tuple(Column(f"{c.title} {p.label}", percent=p.percent) for c in columns for p in HISTORY_PARTS)
    body = [
        (
            r.end_date,
            _marks_text(r.marks(), ROW_MARKS),
            r.day.record.status if r.day else None,
            r.day.record.submit_date if r.day else None,
            *(value(r, c.id, p.id) for c in columns for p in HISTORY_PARTS),
            _versions(r.day) if r.day else "none",
            r.day.record.id if r.day else None,
        )
        for r in rows
    ]
    return Table("history", (*head, *figures, Column("Versions"), Column("Filing id")), body)


def changes_table(before: FilingVersion, after: FilingVersion, changes: Sequence[LineChange]) -> Table:
    """A comparison table of the filing page: the lines that differ, each version's amount (none where the line
    was not filed) and the change, under columns named by End Date and version as the page heads them."""
    columns = (
        Column("Code"),
        Column("Statement"),
        Column("Line"),
        Column("Description"),
        Column(f"{before.end_date.isoformat()} v{before.version}"),
        Column(f"{after.end_date.isoformat()} v{after.version}"),
        Column("Change"),
    )
    body = [(c.code, c.statement, c.line, c.label, c.before, c.after, c.change) for c in changes]
    return Table("changes", columns, body)


def board_table(board: Board) -> Table:
    """The board's groups, one row per firm in each (a firm in several groups is in several rows)."""
    body: list[tuple[Cell, ...]] = [
        (board.day, GROUP_TITLES[group], e.firm.firm_id, e.firm.name, e.firm.latest_end_date, " ".join(e.firm.status) or "ok", e.filing_id)
        for group, entries in board.groups.items()
        for e in entries
    ]
    columns = (Column("Day"), Column("Group"), Column("Firm id"), Column("Firm"), Column("Latest"), Column("Status"))
    return Table("board", (*columns, Column("Filing id")), body)


def feed_table(events: Sequence[FeedEvent]) -> Table:
    body: list[tuple[Cell, ...]] = [
        (
            e.observation.end_date,
            e.observation.firm_id,
            e.firm_name,
            _marks_text([e.observation.finding.rule]),
            e.observation.finding.rule,
            e.observation.finding.severity,
            e.observation.finding.statement,
            e.observation.finding.message,
            e.filing_id,
        )
        for e in events
    ]
    head = (Column("End Date"), Column("Firm id"), Column("Firm"), Column("Mark"), Column("Rule"), Column("Severity"))
    return Table("events", (*head, Column("Statement"), Column("Message"), Column("Filing id")), body)


def shares_table(shares: dict[str, list[Share]]) -> Table:
    names = {s.id: s.name for s in CATALOGUE.statements}
    body: list[tuple[Cell, ...]] = [
        (names[sid], s.rank, s.firm.firm_id, s.firm.name, s.requirement, s.percent, s.funds, s.excess, s.firm.latest_end_date)
        for sid, listed in shares.items()
        for s in listed
    ]
    head = (Column("Statement"), Column("Rank"), Column("Firm id"), Column("Firm"), Column("Requirement"))
    rest = (Column("Share %", percent=True), Column("Funds"), Column("Excess"), Column("Latest"))
    return Table("shares", (*head, *rest), body)


def totals_table(found: Totals) -> Table:
    """One row per End Date: how many firms filed, and each statement's totals."""
    names = {s.id: s.name for s in CATALOGUE.statements}
    labels = {k.id: k.label for k in CATALOGUE.key_lines}
    columns = [(sid, part) for sid, parts in found.sums.items() for part in parts]
    body: list[tuple[Cell, ...]] = [
        (day, found.firms[i], *(found.sums[sid][part][i] for sid, part in columns)) for i, day in enumerate(found.dates)
    ]
    head = (Column("End Date"), Column("Firms"))
    return Table("totals", (*head, *(Column(f"{names[sid]} {labels[part]}") for sid, part in columns)), body)


# -- charts as images -------------------------------------------------------------------------------------------


def chart_days(chart: ChartOut) -> tuple[DayFigures, ...]:
    """The firm page's chart data as the publish chart's days: each statement's figures on each End Date."""

    def amount(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return tuple(
        DayFigures(date.fromisoformat(day), sid, {part: amount(values[i]) for part, values in statement.series.items()}, chart.amended[i])
        for sid, statement in chart.statements.items()
        for i, day in enumerate(chart.dates)
    )


def chart_image(spec: dict[str, Any], suffix: Literal["svg", "png"]) -> bytes:
    """A Vega-Lite spec rendered offline (the function the heavy work runs)."""
    import vl_convert

    if suffix == "svg":
        return str(vl_convert.vegalite_to_svg(spec)).encode("utf-8")
    return bytes(vl_convert.vegalite_to_png(spec, scale=2))


def firm_chart_spec(version: FilingVersion, chart: ChartOut, start: date, end: date) -> dict[str, Any]:
    """The publish chart's spec over the firm page's figures of `start` to `end` (`version`: the latest filing)."""
    return chart_spec(Publication(version.firm_id, version.firm_name, start, end, chart_days(chart), (), version, {}))
