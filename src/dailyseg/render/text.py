"""The published text format, laid out like the sample filing; `dailyseg.read` reads it back unchanged.

Each statement is printed under its own copy of the header, as WinJammer postings do. Amounts sit in
`<u>` (or `<b><u>` on statements the catalogue marks bold) followed by their `[code]`; a subtotal printed
in the right-hand column follows the row before it on the same line.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE, Row, Statement
from dailyseg.filing import CoverPage, Filing, Header
from dailyseg.money import format_amount


def _date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _header(header: Header) -> list[str]:
    fields = [
        header.status or None,
        f"End Date:{_date(header.end_date)}" if header.end_date else None,
        f"Firm Name:{header.firm_name}" if header.firm_name else None,
        f"Form:{header.form}" if header.form else None,
        f"Submit Date:{_date(header.submit_date)}" if header.submit_date else None,
    ]
    lines = ["", ""]
    for text in fields:
        if text:
            lines += [f"**{text}**", ""]
    return lines


def _value(amount: Decimal, statement: Statement, code: str | None, extra: Decimal | None = None) -> str:
    shown = format_amount(amount) if extra is None else f"{format_amount(extra)} {format_amount(amount)}"
    inner = f"<b><u>{shown}</u></b>" if statement.emphasis == "bold" else f"<u>{shown}</u>"
    return f"{inner} [{code}]" if code else inner


def _row_prefix(row: Row) -> str:
    if row.letter:
        return f"\t{row.letter}. {row.label}\t"
    if row.line:
        return f"{row.line}.\t{row.label}\t"
    return f"\t{row.label}\t"


def _statement_lines(filing: Filing, statement: Statement) -> list[str]:
    lines = [f"**{statement.heading}**", ""]
    lines += [*statement.banner] + ([""] if statement.banner else [])
    amounts = filing.amounts
    for section in statement.sections_in(filing.layout):
        lines += [section.heading]
        previous: Row | None = None
        for row in section.rows:
            if filing.layout not in row.layouts:
                continue
            amount = amounts.get(row.ref) if row.ref else None
            if row.same_line and lines:
                if amount is not None:
                    component = amounts.get(previous.ref) if previous and previous.kind == "component" and previous.ref else None
                    if component is not None:
                        # The sample prints the last sub-line and its total in one cell: "0 0 [8715]".
                        lines[-1] = lines[-1].removesuffix(_value(component, statement, None))
                        lines[-1] += _value(amount, statement, row.ref, extra=component)
                    else:
                        lines[-1] += f" {_value(amount, statement, row.ref)}"
            else:
                text = _row_prefix(row)
                if amount is not None:
                    text += _value(amount, statement, row.ref if row.kind != "component" else None)
                lines.append(text)
            previous = row
    for entry in filing.entries:
        if entry.statement == statement.id and not entry.known:
            lines.append(f"\t{entry.label}\t{_value(entry.amount, statement, entry.ref)}")
    return lines


def _cover_lines(cover: CoverPage) -> list[str]:
    spec = CATALOGUE.cover
    lines = [f"**{spec.heading}**", ""]
    lines += [f"{f.label}\t{cover.field(f.id)}" for f in spec.fields]
    for statement_id, label in spec.target_labels.items():
        target = cover.target(statement_id)
        lines.append(label)
        for kind in spec.target_kinds:
            chosen = target is not None and target.kind == kind.id
            bounds: list[Decimal] = [Decimal(0)] * kind.bounds
            if chosen and target is not None:
                bounds = [target.low] + ([target.high or Decimal(0)] if kind.bounds == 2 else [])
            cells = " ".join(f"<u>{format_amount(b)}</u>" for b in bounds)
            lines.append(f"\t{kind.letter}. {kind.label}\t{cells}")
    return lines


def render_text(filings: Filing | Iterable[Filing]) -> str:
    """Every statement of every filing, each under its header, in the catalogue's order."""
    items = [filings] if isinstance(filings, Filing) else list(filings)
    lines: list[str] = []
    for filing in items:
        if filing.cover is not None:
            lines += _header(filing.header) + _cover_lines(filing.cover)
        for statement_id in filing.statements:
            statement = CATALOGUE.statement_by_id.get(statement_id)
            if statement is not None:
                lines += _header(filing.header) + _statement_lines(filing, statement)
    return "\n".join(lines) + "\n"
