"""The catalogue's types: statements, sections, rows (lines), formulas and layouts.

Everything here is immutable so the one catalogue loaded at import time can be shared freely.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal

Sign = Literal["any", "nonneg", "nonpos"]
Kind = Literal["heading", "input", "component", "subtotal", "total"]
Severity = Literal["error", "warning", "notice"]

COMPONENT_KEY = re.compile(r"^(\d{4})\.([A-Z])$")


def key_of(code: int | str) -> str:
    """Normalise a code (7190, "7190") or component key ("8715.A") to the catalogue's string key."""
    if isinstance(code, int):
        return str(code)
    return code.strip().upper()


@dataclass(frozen=True)
class Row:
    """One printed row of a statement: a heading, a coded amount or an uncoded component."""

    statement: str
    section: str
    line: str
    letter: str
    label: str
    kind: Kind
    sign: Sign
    layouts: frozenset[str]
    verified: bool = True
    same_line: bool = False
    code: int | None = None
    key: str | None = None

    @property
    def ref(self) -> str | None:
        """The amount's key: the code as text, a component key, or None for a heading."""
        if self.code is not None:
            return str(self.code)
        return self.key

    @property
    def number(self) -> str:
        """Line number and letter as a reviewer would cite them, e.g. "7C" or "12"."""
        return f"{self.line}{self.letter}"

    def sign_allows(self, amount: Decimal) -> bool:
        if self.sign == "nonneg":
            return amount >= 0
        if self.sign == "nonpos":
            return amount <= 0
        return True


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    layouts: frozenset[str]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Source:
    """Where a line's number comes from in a firm's books: a table, the rows chosen, the measure summed.

    `table` is "customer" (per-account `measure` over the statement's customer class), "depository"
    (balances at depositories of `kinds` in `assets`) or "firm" (a configured `measure`). `sign` gives the
    form's sign to values the books hold as positive magnitudes.
    """

    ref: str
    table: Literal["customer", "depository", "firm"]
    measure: str = ""
    kinds: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    sign: int = 1

    def describe(self, customer_class: str) -> str:
        """The rule in words, for `dailyseg explain`."""
        negate = "minus " if self.sign < 0 else ""
        if self.table == "customer":
            return f"{negate}sum of {self.measure.replace('_', ' ')} over {customer_class} customer accounts, currency by currency, in USD"
        if self.table == "depository":
            return (
                f"{negate}sum of {customer_class} balances in {' / '.join(self.assets)} at {' / '.join(self.kinds)} depositories "
                "with an acknowledgment letter on file, in USD"
            )
        return f"{self.measure.replace('_', ' ')} from the firm's configuration"


@dataclass(frozen=True)
class KeyLine:
    """A line that sums a statement up (requirement, funds, excess, target, excess over target)."""

    id: str
    label: str
    report_label: str
    description: str


# The key lines each statement names a code for (its fields of the same names); the loader checks that the
# catalogue's key_lines list is exactly these.
KEY_LINE_IDS = ("requirement", "funds", "excess", "target", "excess_over_target")


@dataclass(frozen=True)
class Statement:
    id: str
    customer_class: str
    heading: str
    short: str
    title: str
    law: str
    emphasis: Literal["bold", "plain"]
    banner: tuple[str, ...]
    sections: tuple[Section, ...]
    requirement: int
    funds: int
    excess: int
    target: int
    excess_over_target: int
    residual_interest_rule: str = ""

    @property
    def name(self) -> str:
        """The name a reader knows the statement by: its heading without the form's "Daily Segregation - "."""
        return self.heading.split(" - ", 1)[-1]

    @property
    def key_refs(self) -> Mapping[str, str]:
        """The code of each key line (`CATALOGUE.key_lines`), by key line id: {"requirement": "7060", ...}."""
        return {name: str(getattr(self, name)) for name in KEY_LINE_IDS}

    def rows(self, layout: str) -> Iterator[Row]:
        """The rows printed in a layout, in print order."""
        for section in self.sections:
            if layout in section.layouts:
                yield from (row for row in section.rows if layout in row.layouts)

    def sections_in(self, layout: str) -> Iterator[Section]:
        return (s for s in self.sections if layout in s.layouts)


@dataclass(frozen=True)
class Term:
    """A signed operand of a formula."""

    sign: int
    ref: str


@dataclass(frozen=True)
class Formula:
    """`target = expr`: either a signed sum of terms or the greater of its terms (`max`)."""

    id: str
    target: str
    expr: str
    terms: tuple[Term, ...]
    op: Literal["sum", "max"]
    layouts: frozenset[str]
    severity: Severity
    citation: str
    when: frozenset[str] = frozenset()

    @cached_property
    def refs(self) -> frozenset[str]:
        """Every key the formula reads or writes."""
        return frozenset({self.target, *(t.ref for t in self.terms)})

    def evaluate(self, amounts: Mapping[str, Decimal]) -> Decimal:
        """The value `expr` gives, missing keys counting as zero."""
        zero = Decimal(0)
        if self.op == "max":
            return max(t.sign * amounts.get(t.ref, zero) for t in self.terms)
        total = zero
        for term in self.terms:
            value = amounts.get(term.ref)
            if value is not None:
                total = total + value if term.sign > 0 else total - value
        return total


@dataclass(frozen=True)
class Bound:
    """`value` must stand in `relation` to `bound`: |value| <= bound ("abs_le") or value >= bound ("ge")."""

    id: str
    value: str
    bound: str
    relation: Literal["abs_le", "ge"]
    citation: str

    def holds(self, value: Decimal, bound: Decimal) -> bool:
        if self.relation == "abs_le":
            return abs(value) <= bound
        return value >= bound


@dataclass(frozen=True)
class HoldingType:
    """A group of funds lines by where the funds are held (for the public summary of funds by holding type)."""

    id: str
    label: str
    refs: frozenset[str]


@dataclass(frozen=True)
class Layout:
    id: str
    title: str
    description: str
    markers: frozenset[str]


@dataclass(frozen=True)
class TargetKind:
    id: str
    letter: str
    label: str
    bounds: int


@dataclass(frozen=True)
class CoverField:
    id: str
    label: str


@dataclass(frozen=True)
class CoverSpec:
    heading: str
    fields: tuple[CoverField, ...]
    target_kinds: tuple[TargetKind, ...]
    target_labels: Mapping[str, str]


@dataclass(frozen=True)
class Catalogue:
    """The three statements, their formulas and layouts: the single source every other module reads."""

    statements: tuple[Statement, ...]
    formulas: tuple[Formula, ...]
    bounds: tuple[Bound, ...]
    layouts: Mapping[str, Layout]
    cover: CoverSpec
    form_names: tuple[str, ...]
    statuses: tuple[str, ...]
    full_layout_from: date
    sources: Mapping[str, Source]
    holding_types: tuple[HoldingType, ...] = ()
    key_lines: tuple[KeyLine, ...] = ()

    @cached_property
    def key_line_by_id(self) -> Mapping[str, KeyLine]:
        return {k.id: k for k in self.key_lines}

    @cached_property
    def statement_by_id(self) -> Mapping[str, Statement]:
        return {s.id: s for s in self.statements}

    @cached_property
    def statement_by_heading(self) -> Mapping[str, Statement]:
        return {s.heading.lower(): s for s in self.statements}

    @cached_property
    def refs(self) -> Mapping[str, tuple[Row, ...]]:
        """Every amount key with the rows that print it (one per layout position)."""
        found: dict[str, list[Row]] = {}
        for statement in self.statements:
            for section in statement.sections:
                for row in section.rows:
                    if row.ref is not None:
                        found.setdefault(row.ref, []).append(row)
        return {ref: tuple(rows) for ref, rows in found.items()}

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(int(ref) for ref in self.refs if ref.isdigit())

    def rows_in(self, layout: str) -> Mapping[str, Row]:
        """Every key's row in a layout (its position where the layouts differ)."""
        return self._rows_by_layout[layout]

    @cached_property
    def _rows_by_layout(self) -> Mapping[str, Mapping[str, Row]]:
        """Each layout's row of every key, precomputed: validation looks rows up for every amount."""
        return {
            layout: {ref: next((r for r in rows if layout in r.layouts), rows[0]) for ref, rows in self.refs.items()}
            for layout in self.layouts
        }

    @cached_property
    def _formulas_by_layout(self) -> Mapping[str, tuple[Formula, ...]]:
        return {layout: tuple(f for f in self.formulas if layout in f.layouts) for layout in self.layouts}

    def row(self, code: int | str, layout: str | None = None) -> Row:
        """The row of a code (in a layout, where its position differs between layouts)."""
        key = key_of(code)
        if layout is not None and layout in self._rows_by_layout and key in self.refs:
            return self._rows_by_layout[layout][key]
        rows = self.refs.get(key)
        if not rows:
            raise KeyError(f"code {code} is not in the catalogue")
        return rows[0]

    def statement_of(self, code: int | str) -> str | None:
        rows = self.refs.get(key_of(code))
        return rows[0].statement if rows else None

    def formulas_for(self, layout: str) -> tuple[Formula, ...]:
        return self._formulas_by_layout.get(layout, ())

    def refs_in(self, layout: str) -> frozenset[str]:
        return frozenset(ref for ref, rows in self.refs.items() if any(layout in r.layouts for r in rows))

    def component_parent(self, key: str) -> str | None:
        match = COMPONENT_KEY.match(key)
        return match.group(1) if match else None

    def detect_layout(self, refs: frozenset[str], end_date: date | None) -> str:
        """The layout a set of printed codes belongs to; the End Date decides when the codes do not."""
        best = max(self.layouts.values(), key=lambda layout: len(refs & layout.markers))
        if refs & best.markers:
            return best.id
        if end_date is not None and end_date < self.full_layout_from:
            return "2013"
        return "full"
