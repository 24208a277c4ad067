"""Line-by-line differences between two filings (two versions of one day, or two days of one firm)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.money import format_amount


@dataclass(frozen=True)
class LineChange:
    """One code whose amount differs; `before`/`after` are None where the code was not filed."""

    statement: str
    code: str
    line: str
    label: str
    before: Decimal | None
    after: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def describe(self) -> str:
        def amount(value: Decimal | None) -> str:
            return "not filed" if value is None else format_amount(value)

        return f"{self.code} ({self.statement} line {self.line}): {amount(self.before)} -> {amount(self.after)}"


def diff_filings(before: Filing, after: Filing) -> list[LineChange]:
    """Every code whose amount differs between the two filings, in the catalogue's print order."""
    changes = []
    refs = list(before.amounts) + [ref for ref in after.amounts if ref not in before.amounts]
    entries = {e.ref: e for e in (*before.entries, *after.entries)}
    for ref in refs:
        old, new = before.amounts.get(ref), after.amounts.get(ref)
        if old == new:
            continue
        entry = entries[ref]
        row = CATALOGUE.row(ref, after.layout) if entry.known else None
        changes.append(LineChange(entry.statement, ref, row.number if row else "", row.label if row else entry.label, old, new))
    return changes


def header_changes(before: Filing, after: Filing) -> list[tuple[str, str, str]]:
    """Header fields that differ: (field, before, after)."""
    fields = ("status", "end_date", "firm_name", "form", "submit_date")
    found = []
    for name in fields:
        old, new = getattr(before.header, name), getattr(after.header, name)
        if old != new:
            found.append((name, str(old or ""), str(new or "")))
    return found
