"""Hypothesis strategies for filings: every layout, statement subset, sign, cents, cover page and unknown code.

The strategies generate only what a published filing can say. Where a format genuinely cannot carry a
distinction, the restriction is made here and explained beside it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target, TargetKindId

LAYOUTS = sorted(CATALOGUE.layouts)
STATEMENTS = [s.id for s in CATALOGUE.statements]
MAX_WHOLE = 10**15 - 1  # fifteen digits: the limit the readers accept (money.MAX_INTEGER_DIGITS)

# Words of two letters or more: the PDF-text reader joins runs of single capitals ("W I N J A M M E R"), so
# a name made of single letters cannot survive the text format; text formats also do not keep leading,
# trailing or doubled spaces.
word = st.text(alphabet=string.ascii_letters, min_size=2, max_size=8)
phrase = st.lists(word, min_size=1, max_size=4).map(" ".join)
firm_names = st.tuples(phrase, st.sampled_from(["", " Inc.", " LLC", " & Co."])).map("".join)


def amounts(*, cents: bool = True, max_whole: int = MAX_WHOLE) -> st.SearchStrategy[Decimal]:
    """Exact amounts of either sign, whole dollars or (when `cents`) with cents."""
    dollars = st.integers(-max_whole, max_whole).map(Decimal)
    if not cents:
        return dollars
    with_cents = st.integers(-(max_whole * 100 + 99), max_whole * 100 + 99).map(lambda n: Decimal(n).scaleb(-2))
    return st.one_of(dollars, with_cents)


any_amount = amounts()
footing_amount = amounts(max_whole=10**12)  # inputs whose sums stay within the fifteen digits
positive = st.integers(1, MAX_WHOLE).map(Decimal) | st.integers(1, 10_000).map(lambda n: Decimal(n).scaleb(-2))


FIRST_DAY, LAST_DAY = date(2012, 5, 1), date(2030, 12, 31)


def end_dates(layout: str | None = None) -> st.SearchStrategy[date]:
    """End Dates; for a layout, only those on which the catalogue expects that layout."""
    switch = CATALOGUE.full_layout_from
    if layout == "2013":
        return st.dates(FIRST_DAY, switch - timedelta(days=1))
    if layout == "full":
        return st.dates(switch, LAST_DAY)
    return st.dates(FIRST_DAY, LAST_DAY)


@st.composite
def headers(draw: st.DrawFn, layout: str | None = None) -> Header:
    return Header(
        status=draw(st.sampled_from(CATALOGUE.statuses)),
        end_date=draw(end_dates(layout)),
        firm_name=draw(firm_names),
        form=draw(st.sampled_from(CATALOGUE.form_names)),
        submit_date=draw(st.none() | st.dates(date(2012, 5, 1), date(2031, 1, 31))),
    )


@st.composite
def targets(draw: st.DrawFn) -> Target:
    kind = draw(st.sampled_from(CATALOGUE.cover.target_kinds))
    kind_id: TargetKindId = kind.id  # type: ignore[assignment]
    if kind.bounds == 1:
        return Target(kind_id, draw(positive), None)
    low, high = sorted((draw(positive), draw(positive)))  # a range reads back only with its bounds in order
    return Target(kind_id, low, high)


@st.composite
def covers(draw: st.DrawFn) -> CoverPage:
    chosen = draw(st.sets(st.sampled_from(list(CATALOGUE.cover.target_labels))))
    phone = draw(st.tuples(st.integers(200, 999), st.integers(0, 999), st.integers(0, 9999)))
    return CoverPage(
        company=draw(st.just("") | firm_names),
        contact_name=draw(st.just("") | phrase),
        contact_phone="{:03d}-{:03d}-{:04d}".format(*phone),
        contact_email=draw(st.tuples(word, word).map(lambda p: f"{p[0]}@{p[1]}.com".lower())),
        # The cover page prints its targets in the catalogue's order, so they are read back in that order.
        targets=tuple((s, draw(targets())) for s in CATALOGUE.cover.target_labels if s in chosen),
    )


unknown_codes = st.integers(1000, 9999).map(str).filter(lambda code: code not in CATALOGUE.refs)


def unknown_codes_besides(taken: frozenset[str]) -> st.SearchStrategy[str]:
    return unknown_codes.filter(lambda code: code not in taken)


def footed(layout: str, statements: set[str], inputs: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The inputs with every subtotal and total computed by the catalogue's formulas (errors, not ties)."""
    formulas = [
        f
        for f in CATALOGUE.formulas_for(layout)
        if f.severity == "error" and CATALOGUE.statement_of(f.target) in statements and not (f.when and not f.when & inputs.keys())
    ]
    values = dict(inputs)
    for _ in formulas:  # one pass per formula reaches the end of any chain of formulas
        for formula in formulas:
            values[formula.target] = formula.evaluate(values)
    return values


def computed(layout: str, statements: set[str]) -> set[str]:
    return {f.target for f in CATALOGUE.formulas_for(layout) if f.severity == "error" and CATALOGUE.statement_of(f.target) in statements}


@st.composite
def filings(draw: st.DrawFn, *, foot: bool = False) -> Filing:
    """A filing in either layout. With `foot`, every line of each statement is filed and totals are computed."""
    layout = draw(st.sampled_from(LAYOUTS))
    # A footed filing's target lines foot only in the layout that has them: its End Date agrees with its layout.
    header = draw(headers(layout if foot else None))
    chosen = draw(st.sets(st.sampled_from(STATEMENTS), min_size=1 if foot else 0))
    cover = draw(st.none() | covers())
    if not chosen and cover is None:
        chosen = {draw(st.sampled_from(STATEMENTS))}
    with_components = draw(st.booleans())
    entries: list[Entry] = []
    if foot:
        derived = computed(layout, chosen)
        inputs = {
            row.ref: draw(footing_amount)
            for s in chosen
            for row in CATALOGUE.statement_by_id[s].rows(layout)
            if row.ref is not None and row.ref not in derived and (row.kind != "component" or with_components)
        }
        entries = [Entry(CATALOGUE.statement_of(ref) or "", ref, value) for ref, value in footed(layout, chosen, inputs).items()]
    else:
        for statement_id in sorted(chosen, key=STATEMENTS.index):
            rows = [r for r in CATALOGUE.statement_by_id[statement_id].rows(layout) if r.ref is not None]
            keep = st.sampled_from(rows).filter(lambda r: r.kind != "component" or with_components)
            picked = draw(st.just(rows) | st.lists(keep, min_size=1, unique=True))
            entries += [
                Entry(statement_id, r.ref, draw(any_amount)) for r in picked if r.ref and (r.kind != "component" or with_components)
            ]
            for _ in range(draw(st.integers(0, 2))):
                code = draw(unknown_codes_besides(frozenset(e.ref for e in entries)))
                entries.append(Entry(statement_id, code, draw(any_amount), draw(phrase)))
    refs = frozenset(e.ref for e in entries)
    if not any(refs & marks.markers for marks in CATALOGUE.layouts.values()):
        # No code that tells the layouts apart: a published document does not name its layout, so the reader
        # takes it from the End Date, and a generated filing must agree.
        layout = CATALOGUE.detect_layout(refs, header.end_date)
    return Filing(header, layout, tuple(entries), cover, tuple(chosen))


def documents(min_size: int = 1, max_size: int = 3) -> st.SearchStrategy[list[Filing]]:
    """Several filings in one document. A text document separates filings by their headers only, so two
    filings in one document differ in header."""
    return st.lists(filings(), min_size=min_size, max_size=max_size, unique_by=lambda f: f.header)
