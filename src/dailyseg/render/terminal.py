"""A filing shown to a person: Rich tables on a terminal, plain lines for a pipe.

Both come from the one display layout (`render.view`). Text from the document (names, labels, unknown
codes' labels) is shown through `printable`, so it can neither be read as markup nor move the cursor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dailyseg.catalogue import CATALOGUE
from dailyseg.render.printable import printable
from dailyseg.render.view import Cell, ViewRow, ViewStatement, layout

if TYPE_CHECKING:
    # Types only: `Filing.__rich__` imports this module, so importing the filing back would be a cycle.
    from dailyseg.checks import Finding
    from dailyseg.filing import Filing

_STYLE = {"error": "bold red", "warning": "yellow", "notice": "cyan"}


def _amount(cell: Cell | None) -> Text:
    if cell is None:
        return Text("")
    return Text(f"{cell.text} [{cell.code}]", style="red" if cell.negative else "")


def _title(filing: Filing) -> list[tuple[str, str]]:
    header = filing.header
    return [
        (printable(header.firm_name or "Unnamed firm"), "bold"),
        (printable(f"  {header.status}  End Date {header.end_date or '-'}  Submit Date {header.submit_date or '-'}  "), ""),
        (printable(f"{header.form}  layout: {CATALOGUE.layouts[filing.layout].title}"), "dim"),
    ]


def _number(r: ViewRow) -> str:
    return f"{r.row.letter}." if r.row.letter else (f"{r.row.line}." if r.row.line else "")


def _columns(r: ViewRow) -> tuple[Cell | None, Cell | None]:
    """The amount column and the right-hand total column of a row (a subtotal may stand in either)."""
    own_total = r.row.kind in ("subtotal", "total") and r.total is None
    return (None if own_total else r.cell), (r.total or (r.cell if own_total else None))


def _finding(finding: Finding) -> str:
    """One line: an event says so and names the notice its rule requires."""
    kind = f"EVENT {finding.severity.upper()}" if finding.is_event else finding.severity.upper()
    notice = f" Notice: {finding.notice}" if finding.notice else ""
    return printable(f"{kind} {finding.rule}: {finding.message}{notice}")


def filing_lines(filing: Filing, findings: Iterable[Finding] = ()) -> list[str]:
    """The filing for a pipe: a line per row (line, label, amount [code], total [code]), tab-free and unwrapped."""
    lines = ["".join(text for text, _ in _title(filing))]
    for statement in layout(filing, findings):
        lines += ["", printable(statement.heading)]
        for section in statement.sections:
            lines.append(printable(section.heading))
            for r in section.rows:
                amounts = " ".join(f"{c.text} [{c.code}]" for c in _columns(r) if c is not None)
                label = ("  " if r.row.letter else "") + r.row.label
                lines.append(printable("  ".join(part for part in (_number(r), label, amounts) if part)))
                lines += [f"    {_finding(x)}" for x in r.findings]
        lines += [printable(f"?  {text}  {cell.text} [{cell.code}]") for _code, text, cell in statement.extra]
        lines += [_finding(x) for x in statement.findings]
    return lines


def _table(statement: ViewStatement) -> Table:
    table = Table(title=printable(statement.heading), title_justify="left", show_lines=False, expand=False)
    table.add_column("Line", no_wrap=True)
    table.add_column("Description", overflow="fold", max_width=70)
    table.add_column("Amount", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    for section in statement.sections:
        table.add_row("", Text(printable(section.heading), style="bold"), "", "")
        for r in section.rows:
            label = Text(printable(("  " if r.row.letter else "") + r.row.label), style="bold" if r.heading else "")
            for finding in r.findings:
                label.append("\n  " + _finding(finding), style=_STYLE[finding.severity])
            main, right = _columns(r)
            table.add_row(_number(r), label, _amount(main), _amount(right))
    for _code, text, cell in statement.extra:
        table.add_row("?", Text(printable(text)), _amount(cell), "")
    return table


def filing_renderable(filing: Filing, findings: Iterable[Finding] = ()) -> RenderableType:
    """The filing for a terminal: a title, then a table per statement with its findings under it."""
    parts: list[RenderableType] = [Text.assemble(*_title(filing))]
    for statement in layout(filing, findings):
        parts.append(_table(statement))
        parts += [Text(_finding(x), style=_STYLE[x.severity]) for x in statement.findings]
    return Group(*parts)
