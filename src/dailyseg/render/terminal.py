"""Rich display of a filing in a terminal: one table per statement, negatives in red parentheses."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding
from dailyseg.filing import Filing
from dailyseg.render.view import Cell, layout

_STYLE = {"error": "bold red", "warning": "yellow", "notice": "cyan"}


def _amount(cell: Cell | None) -> Text:
    if cell is None:
        return Text("")
    return Text(f"{cell.text} [{cell.code}]", style="red" if cell.negative else "")


def filing_renderable(filing: Filing, findings: Iterable[Finding] = ()) -> RenderableType:
    header = filing.header
    title = Text.assemble(
        (header.firm_name or "Unnamed firm", "bold"),
        f"  {header.status}  End Date {header.end_date or '-'}  Submit Date {header.submit_date or '-'}  ",
        (f"{header.form}  layout: {CATALOGUE.layouts[filing.layout].title}", "dim"),
    )
    parts: list[RenderableType] = [title]
    for statement in layout(filing, findings):
        table = Table(title=statement.heading, title_justify="left", show_lines=False, expand=False)
        table.add_column("Line", no_wrap=True)
        table.add_column("Description", overflow="fold", max_width=70)
        table.add_column("Amount", justify="right", no_wrap=True)
        table.add_column("Total", justify="right", no_wrap=True)
        for section in statement.sections:
            table.add_row("", Text(section.heading, style="bold"), "", "")
            for r in section.rows:
                number = f"{r.row.letter}." if r.row.letter else (f"{r.row.line}." if r.row.line else "")
                own_total = r.row.kind in ("subtotal", "total") and r.total is None
                main = None if own_total else r.cell
                right = r.total or (r.cell if own_total else None)
                label = Text(("  " if r.row.letter else "") + r.row.label, style="bold" if r.heading else "")
                for finding in r.findings:
                    label.append(f"\n  {finding.severity.upper()} {finding.rule}: {finding.message}", style=_STYLE[finding.severity])
                table.add_row(number, label, _amount(main), _amount(right))
        for _code, text, cell in statement.extra:
            table.add_row("?", text, _amount(cell), "")
        parts.append(table)
        for finding in statement.findings:
            parts.append(Text(f"{finding.severity.upper()} {finding.rule}: {finding.message}", style=_STYLE[finding.severity]))
    return Group(*parts)
