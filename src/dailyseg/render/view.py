"""The filing laid out for display: rows with their amounts, right-hand totals and findings attached.

HTML pages, the PDF and the terminal table all draw from this one layout so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from dailyseg.catalogue import CATALOGUE, Row, TargetKind
from dailyseg.money import canonical, format_amount

if TYPE_CHECKING:
    # Types only: the filing's own views import the renderers, which import this module; a run-time import
    # of the filing (or of the checks, which import it) would close the cycle.
    from dailyseg.checks import Finding
    from dailyseg.filing import CoverPage, Filing


@dataclass
class Cell:
    code: str
    amount: Decimal

    @property
    def text(self) -> str:
        return format_amount(self.amount, parentheses=True)

    @property
    def negative(self) -> bool:
        return self.amount < 0


@dataclass
class ViewRow:
    row: Row
    cell: Cell | None = None
    total: Cell | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def heading(self) -> bool:
        return self.row.kind == "heading"


@dataclass
class ViewSection:
    heading: str
    rows: list[ViewRow]


@dataclass
class ViewStatement:
    id: str
    heading: str
    title: str
    law: str
    banner: tuple[str, ...]
    sections: list[ViewSection]
    findings: list[Finding]
    extra: list[tuple[str, str, Cell]]


def _cell(filing: Filing, row: Row) -> Cell | None:
    if row.ref is None or row.ref not in filing.amounts:
        return None
    return Cell(row.ref, filing.amounts[row.ref])


def layout(filing: Filing, findings: Iterable[Finding] = ()) -> list[ViewStatement]:
    """The statements of a filing as rows, each finding attached to the first of its codes shown."""
    found = list(findings)
    statements = []
    for statement_id in filing.statements:
        statement = CATALOGUE.statement_by_id.get(statement_id)
        if statement is None:
            continue
        by_code: dict[str, ViewRow] = {}
        sections = []
        for section in statement.sections_in(filing.layout):
            rows: list[ViewRow] = []
            for row in section.rows:
                if filing.layout not in row.layouts:
                    continue
                cell = _cell(filing, row)
                if row.same_line and rows:
                    rows[-1].total = cell
                    target = rows[-1]
                else:
                    target = ViewRow(row, cell)
                    rows.append(target)
                if row.ref:
                    by_code[row.ref] = target
            sections.append(ViewSection(section.heading, rows))
        general = []
        for finding in found:
            placed = next((by_code[c] for c in finding.codes if c in by_code), None)
            if placed is not None:
                placed.findings.append(finding)
            elif finding.statement == statement_id:
                general.append(finding)
        extra = [(e.ref, e.label, Cell(e.ref, e.amount)) for e in filing.entries if e.statement == statement_id and not e.known]
        statements.append(
            ViewStatement(statement.id, statement.heading, statement.title, statement.law, statement.banner, sections, general, extra)
        )
    return statements


def filing_level(findings: Iterable[Finding]) -> list[Finding]:
    """Findings about the filing as a whole (header rules), shown above the statements."""
    return [f for f in findings if f.statement is None and not f.codes]


@dataclass(frozen=True)
class CoverOption:
    """One option (a-d) of a class's target as the form prints it: its label cut at its blanks.

    `pieces` holds one more text than `blanks`; each blank stands between two pieces and holds its amount
    when the option is the one chosen, else nothing (an option with empty blanks is not chosen).
    """

    letter: str
    pieces: tuple[str, ...]
    blanks: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True)
class CoverClass:
    """A class of customers' residual interest target: the form's "(choose one)" label and its four options."""

    label: str
    options: tuple[CoverOption, ...]


@dataclass(frozen=True)
class CoverView:
    """The cover page laid out like the form's first page: the firm's fields, then each class's target."""

    heading: str
    fields: tuple[tuple[str, str], ...]
    classes: tuple[CoverClass, ...]


def _pieces(kind: TargetKind) -> tuple[str, ...]:
    """An option's label cut at its blanks: the first blank follows the `:`, a range's second follows its "and".

    The catalogue's labels mark the blanks so ("Dollar amount range between:and ; or"); the cover reader
    finds the amounts in them, after the label's head, as it does on the form.
    """
    head, _, tail = kind.label.partition(":")
    if kind.bounds == 1:
        return f"{head}:", tail.strip()
    before, word, after = tail.partition("and")
    return f"{head}:", f"{before}{word}".strip(), after.strip()


def cover_view(cover: CoverPage) -> CoverView:
    """The cover page's fields and, for every class the form has, its four options with the chosen one filled."""
    spec = CATALOGUE.cover
    classes = []
    for statement, label in spec.target_labels.items():
        target = cover.target(statement)
        options = []
        for kind in spec.target_kinds:
            amounts: tuple[Decimal, ...] = ()
            if target is not None and target.kind == kind.id:
                amounts = (target.low,) if kind.bounds == 1 else (target.low, target.high or Decimal(0))
            blanks = tuple(format_amount(canonical(a)) for a in amounts) or ("",) * kind.bounds
            options.append(CoverOption(kind.letter, _pieces(kind), blanks, bool(amounts)))
        classes.append(CoverClass(label, tuple(options)))
    return CoverView(spec.heading, tuple((f.label, cover.field(f.id)) for f in spec.fields), tuple(classes))
