"""The filing as an immutable value: header, cover page and exact amounts keyed by code.

A `Filing` is what every reader produces and every renderer, check, store and engine consumes. Entries
are kept in the catalogue's print order so two filings with the same content compare equal however they
were read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import InitVar, dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from dailyseg.catalogue import CATALOGUE, Row, key_of
from dailyseg.money import canonical

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from rich.console import RenderableType

_Frozen = TypeVar("_Frozen")
TargetKindId = Literal["minimum_dollars", "minimum_percent", "dollar_range", "percent_range"]


@dataclass(frozen=True)
class Header:
    """The WinJammer header printed above each statement."""

    status: str
    end_date: date | None
    firm_name: str
    form: str
    submit_date: date | None = None


@dataclass(frozen=True)
class Target:
    """A residual interest target as the cover page states it (form-spec 1.2, 8.9)."""

    kind: TargetKindId
    low: Decimal
    high: Decimal | None = None

    def dollars(self, requirement: Decimal) -> Decimal:
        """The target in dollars: a dollar minimum or the lower bound; percentages apply to the requirement.

        This derivation is the specification's presumption (form-spec 8.9), not a verified rule.
        """
        if self.kind in ("minimum_percent", "percent_range"):
            return requirement * self.low / 100
        return self.low


@dataclass(frozen=True)
class CoverPage:
    company: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    targets: tuple[tuple[str, Target], ...] = ()

    def __post_init__(self) -> None:
        # In the cover page's order, whatever order they were read or stored in (a store's JSON sorts keys), so
        # that a cover read back from anywhere equals the one written.
        ordered = sorted(self.targets, key=lambda target: _COVER_ORDER.get(target[0], len(_COVER_ORDER)))
        object.__setattr__(self, "targets", tuple(ordered))

    def field(self, field_id: str) -> str:
        """A field by its catalogue id (`[[cover.fields]]`: company, contact_name, ...), as renderers lay them out."""
        value = getattr(self, field_id)
        assert isinstance(value, str), field_id
        return value

    def target(self, statement: str) -> Target | None:
        return dict(self.targets).get(statement)


@dataclass(frozen=True, slots=True)
class Entry:
    """One amount as filed. `label` is kept only for codes the catalogue does not know.

    Slots, not a dict: a filing holds some eighty, which the compiled reader makes by writing each slot.
    """

    statement: str
    ref: str
    amount: Decimal
    label: str = ""

    @property
    def known(self) -> bool:
        return self.ref in CATALOGUE.refs


@dataclass(frozen=True)
class Line:
    """A row of the catalogue together with the filing's amount on it (None where not filed)."""

    row: Row
    amount: Decimal | None


def _order(layout: str) -> dict[str, int]:
    order: dict[str, int] = {}
    for statement in CATALOGUE.statements:
        for row in statement.rows(layout):
            if row.ref is not None:
                order[row.ref] = len(order)
    return order


_ORDER = {layout: _order(layout) for layout in CATALOGUE.layouts}
_STATEMENT_ORDER = {s.id: i for i, s in enumerate(CATALOGUE.statements)}


def _sort_key(order: Mapping[str, int], statement: str, ref: str) -> tuple[int, int, str]:
    """Where an entry stands in print order: by statement, by line in the layout, then by key (codes outside it)."""
    return (_STATEMENT_ORDER.get(statement, 99), order.get(ref, 10_000), ref)


def _ranks(layout: str) -> dict[tuple[str, str], int]:
    """The print order of every catalogue key under its own statement, as one number a (statement, key) pair."""
    pairs = [(rows[0].statement, ref) for ref, rows in CATALOGUE.refs.items() if rows]
    pairs.sort(key=lambda pair: _sort_key(_ORDER[layout], *pair))
    return {pair: rank for rank, pair in enumerate(pairs)}


# Sorting entries by these numbers is sorting them by `_sort_key`, without a tuple built for each entry.
_RANKS = {layout: _ranks(layout) for layout in CATALOGUE.layouts}
# The same numbers by key alone, for entries known to stand under their own statement (`Filing.from_reader`).
_REF_RANKS = {layout: {ref: rank for (_, ref), rank in ranks.items()} for layout, ranks in _RANKS.items()}
_STATEMENT_AND_REF = attrgetter("statement", "ref")
_COVER_ORDER = {statement: i for i, statement in enumerate(CATALOGUE.cover.target_labels)}


def _canonical_entry(entry: Entry) -> Entry:
    """The entry with its amount canonical; the same entry when it already is (as readers make them), since
    comparing exponents (`compare_total`) costs a fraction of building a frozen dataclass again."""
    amount = canonical(entry.amount)
    if amount.compare_total(entry.amount) == 0:
        return entry
    return Entry(entry.statement, entry.ref, amount, entry.label)


def frozen(cls: type[_Frozen], /, **fields: object) -> _Frozen:
    """An instance of a frozen dataclass (without slots) with its fields set as its `__init__` would set them, but
    past the frozen `__setattr__` (as `cached_property` stores its values): that is one `object.__setattr__` call a
    field, most of the cost of making a small one. Nothing is checked and no `__post_init__` runs."""
    made = object.__new__(cls)
    vars(made).update(fields)
    return made


def _in_print_order(layout: str, entries: tuple[Entry, ...], ranks: list[int]) -> tuple[Entry, ...]:
    """The entries sorted by `_sort_key`, by their ranks where each has one (-1: a code outside the catalogue, or
    under another statement than its own)."""
    if -1 in ranks:
        order = _ORDER[layout]
        return tuple(sorted(entries, key=lambda e: _sort_key(order, e.statement, e.ref)))
    by_rank = dict(zip(ranks, entries, strict=True))
    return tuple(map(by_rank.__getitem__, sorted(by_rank)))


def _in_statement_order(statements: set[str]) -> tuple[str, ...]:
    return tuple(sorted(statements, key=lambda s: _STATEMENT_ORDER.get(s, 99)))


@dataclass(frozen=True)
class Filing:
    """One Daily Segregation filing: a header, an optional cover page and the amounts of its statements."""

    header: Header
    layout: str
    entries: tuple[Entry, ...]
    cover: CoverPage | None = None
    statements: tuple[str, ...] = field(default=())
    # The caller vouches that every amount is canonical already (the store rebuilds them so): the check, a third
    # of the cost of building a filing, is skipped. Not a field. (The compiled text reader vouches for more:
    # `from_reader`.)
    canonical: InitVar[bool] = False

    def __post_init__(self, canonical: bool) -> None:
        if self.layout not in CATALOGUE.layouts:
            raise ValueError(f"unknown layout {self.layout!r}")
        refs = [e.ref for e in self.entries]
        if len(refs) != len(set(refs)):
            raise ValueError("a filing holds each code once")
        made = self.entries if canonical else tuple(_canonical_entry(e) for e in self.entries)
        ranks = list(map(_RANKS[self.layout].get, map(_STATEMENT_AND_REF, made), repeat(-1)))
        object.__setattr__(self, "entries", _in_print_order(self.layout, made, ranks))
        present = set(self.statements) | {e.statement for e in self.entries}
        object.__setattr__(self, "statements", _in_statement_order(present))

    @classmethod
    def from_reader(
        cls,
        header: Header,
        layout: str,
        entries: Mapping[str, Entry],
        cover: CoverPage | None,
        statements: Iterable[str],
        cents: Mapping[str, int],
    ) -> Filing:
        """A filing from parts its reader vouches for, without the checks and copies of the constructor: `entries`
        keyed by their own keys, every amount canonical, every known code under its own statement and every
        entry's statement among `statements`; `cents` holds each amount in integer cents (the compiled text
        reader makes both from the same digits), kept for validation's exact sums (`exact_cents`).

        The result equals the filing the constructor builds from the same entries.
        """
        if layout not in CATALOGUE.layouts:
            raise ValueError(f"unknown layout {layout!r}")
        made = tuple(entries.values())
        ranks = list(map(_REF_RANKS[layout].get, entries, repeat(-1)))
        return frozen(
            cls,
            header=header,
            layout=layout,
            entries=_in_print_order(layout, made, ranks),
            cover=cover,
            statements=_in_statement_order(set(statements)),
            _cents=cents,
        )

    @classmethod
    def of(
        cls,
        header: Header,
        amounts: Mapping[int | str, Decimal],
        *,
        layout: str | None = None,
        cover: CoverPage | None = None,
    ) -> Filing:
        """Build a filing from catalogue codes alone; the layout is detected when not given."""
        entries = []
        for code, amount in amounts.items():
            statement = CATALOGUE.statement_of(code)
            if statement is None:
                raise KeyError(f"code {code} is not in the catalogue; build Entry values to keep unknown codes")
            entries.append(Entry(statement, key_of(code), amount))
        refs = frozenset(e.ref for e in entries)
        chosen = layout or CATALOGUE.detect_layout(refs, header.end_date)
        return cls(header, chosen, tuple(entries), cover)

    # -- access -------------------------------------------------------------------------------------------
    @cached_property
    def amounts(self) -> Mapping[str, Decimal]:
        """Every amount by key ("7190", "8715.A"), known to the catalogue or not."""
        return {e.ref: e.amount for e in self.entries}

    def __getitem__(self, code: int | str) -> Decimal:
        try:
            return self.amounts[key_of(code)]
        except KeyError:
            raise KeyError(f"code {code} is not in this filing") from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, (int, str)) and key_of(code) in self.amounts

    def get(self, code: int | str, default: Decimal | None = None) -> Decimal | None:
        return self.amounts.get(key_of(code), default)

    @property
    def unknown(self) -> tuple[Entry, ...]:
        """Entries whose codes the catalogue does not know (kept, and flagged by validation)."""
        refs = CATALOGUE.refs  # `Entry.known` without a property call per entry
        return tuple(e for e in self.entries if e.ref not in refs)

    def lines(self, statement: str) -> Iterator[Line]:
        """The statement's rows in print order with their amounts."""
        for row in CATALOGUE.statement_by_id[statement].rows(self.layout):
            yield Line(row, self.amounts.get(row.ref) if row.ref else None)

    def line(self, statement: str, number: str) -> Decimal | None:
        """An amount by statement and printed line number, e.g. line("segregation", "14") or "7C"."""
        for candidate in self.lines(statement):
            if candidate.row.ref is not None and candidate.row.number.upper() == number.upper():
                return candidate.amount
        raise KeyError(f"{statement} has no coded line {number} in layout {self.layout}")

    @property
    def label(self) -> str:
        """A short name for messages: firm, End Date and status."""
        end = self.header.end_date.isoformat() if self.header.end_date else "no End Date"
        return f"{self.header.firm_name or 'unnamed firm'} {end} {self.header.status}".strip()

    # -- tables ---------------------------------------------------------------------------------------------
    def records(self) -> Iterator[dict[str, Any]]:
        """One record per amount: the long form that CSV, data frames and Arrow share."""
        for entry in self.entries:
            row = CATALOGUE.row(entry.ref, self.layout) if entry.known else None
            yield {
                "firm": self.header.firm_name,
                "end_date": self.header.end_date,
                "status": self.header.status,
                "form": self.header.form,
                "submit_date": self.header.submit_date,
                "layout": self.layout,
                "statement": entry.statement,
                "line": row.number if row else "",
                "code": entry.ref,
                "label": row.label if row else entry.label,
                "value": entry.amount,
            }

    def to_dataframe(self) -> pd.DataFrame:
        """A pandas frame in long form; `value` holds exact `Decimal` objects."""
        import pandas as pd

        return pd.DataFrame.from_records(list(self.records()))

    def to_arrow(self) -> pa.Table:
        """An Arrow table in long form; `value` is decimal128(20, 2), exact."""
        import pyarrow as pa

        records = list(self.records())
        schema = pa.schema(
            [
                ("firm", pa.string()),
                ("end_date", pa.date32()),
                ("status", pa.string()),
                ("form", pa.string()),
                ("submit_date", pa.date32()),
                ("layout", pa.string()),
                ("statement", pa.string()),
                ("line", pa.string()),
                ("code", pa.string()),
                ("label", pa.string()),
                ("value", pa.decimal128(20, 2)),
            ]
        )
        return pa.Table.from_pylist(records, schema=schema)

    # -- display ------------------------------------------------------------------------------------------
    # Both views show the filing as it is, without findings: which rules to run, and with what tolerance, is
    # the caller's choice (`render_fragment(filing, dailyseg.validate(filing))`). The renderers are imported
    # here, when first shown, and import this module back only for type checking, so there is no cycle.
    def __rich__(self) -> RenderableType:
        from dailyseg.render.terminal import filing_renderable

        return filing_renderable(self)

    def _repr_html_(self) -> str:
        from dailyseg.render.html import render_fragment

        return render_fragment(self)


def exact_cents(filing: Filing) -> Mapping[str, int] | None:
    """Every amount of the filing in integer cents, by key, where its reader handed them over (`Filing.from_reader`);
    else None, and the caller works in `Decimal`.

    Validation sums the formulas' terms and compares the signs as integers where it can, faster than as `Decimal`s
    and with the same exact result. A filing built any other way does not work the cents out: converting its 80-odd
    `Decimal`s would cost more than the sums it saves.
    """
    cents: Mapping[str, int] | None = vars(filing).get("_cents")
    return cents
