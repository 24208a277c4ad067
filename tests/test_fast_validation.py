"""Validation's integer-cents path finds what its `Decimal` path finds.

The compiled text reader hands each amount over in integer cents beside its `Decimal` (`Filing.from_reader`,
`exact_cents`), and the formulas and signs are then decided on integers. These tests hold a filing built that
way to the filing the constructor builds from the same entries, and its findings to the findings of the same
filing without cents, over generated filings whose amounts are then changed (so that formulas fail and signs are
wrong), at tolerances of every kind and at a precision too low for exact `Decimal` sums.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal, InvalidOperation, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.checks import Context, Finding
from dailyseg.filing import Entry, Filing, Header, exact_cents, frozen
from dailyseg.money import to_cents
from dailyseg.standing import Standing, standing
from tests.conftest import SAMPLE
from tests.strategies import any_amount, filings

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Exact, to the dollar, within a fraction of a cent, negative (nothing holds), and infinite (everything does).
_TOLERANCES = st.sampled_from(["0", "1", "0.5", "0.005", "0.01", "1000", "-1", "Infinity"]).map(Decimal)
# Amounts put in place of some of a filing's: any amount, another sign, or a cent more.
_CHANGES = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["any", "negate", "cent"]), any_amount), max_size=4)


def _with_cents(filing: Filing) -> Filing:
    """The filing as the compiled reader hands it over: entries keyed by code (here in reverse print order, for
    `from_reader` to sort), every amount beside it in cents."""
    entries = {e.ref: e for e in reversed(filing.entries)}
    cents = {e.ref: to_cents(e.amount) for e in filing.entries}
    return Filing.from_reader(filing.header, filing.layout, entries, filing.cover, filing.statements, cents)


def _changed(filing: Filing, changes: list[tuple[int, str, Decimal]]) -> Filing:
    entries = list(filing.entries)
    for at, how, amount in changes:
        if not entries:
            break
        entry = entries[at % len(entries)]
        new = {"any": amount, "negate": -entry.amount, "cent": entry.amount + Decimal("0.01")}[how]
        entries[at % len(entries)] = Entry(entry.statement, entry.ref, new, entry.label)
    return Filing(filing.header, filing.layout, tuple(entries), filing.cover, filing.statements)


@_SETTINGS
@given(filing=filings() | filings(foot=True))
def test_a_filing_from_its_reader_is_the_filing_the_constructor_builds(filing: Filing) -> None:
    fast = _with_cents(filing)
    assert fast == filing
    assert fast.entries == filing.entries and fast.statements == filing.statements and fast.amounts == filing.amounts
    assert list(fast.amounts) == list(filing.amounts)
    assert exact_cents(fast) == {ref: to_cents(amount) for ref, amount in filing.amounts.items()}
    assert exact_cents(filing) is None


@_SETTINGS
@given(filing=filings(foot=True) | filings(), changes=_CHANGES, tolerance=_TOLERANCES, precision=st.sampled_from([28, 24, 12]))
def test_findings_are_the_same_with_and_without_cents(
    filing: Filing, changes: list[tuple[int, str, Decimal]], tolerance: Decimal, precision: int
) -> None:
    changed = _changed(filing, changes)
    context = Context(tolerance=tolerance)
    with localcontext(prec=precision):
        assert _outcome(_with_cents(changed), context) == _outcome(changed, context)


def _outcome(filing: Filing, context: Context) -> list[Finding] | type[ArithmeticError]:
    """The findings, or the error a precision too low for a cover page's target in dollars raises on either path."""
    try:
        return dailyseg.validate(filing, context=context, tier="strict")
    except InvalidOperation as error:
        return type(error)


def test_a_formula_off_by_a_cent_is_found_in_cents_and_reported_in_dollars() -> None:
    """Regression: the integer path decides, the `Decimal` path still words the finding (same amounts, same text)."""
    sample = dailyseg.read(SAMPLE).filing
    assert exact_cents(sample) is not None
    off = _changed(sample, [(0, "cent", Decimal(0))])
    findings = [f for f in dailyseg.validate(_with_cents(off)) if f.rule == "formulas"]
    assert findings == [f for f in dailyseg.validate(off) if f.rule == "formulas"]
    assert findings and all(f.difference is not None and abs(f.difference) == Decimal("0.01") for f in findings)
    assert dailyseg.validate(_with_cents(off), context=Context(tolerance=Decimal("0.01"))) == dailyseg.validate(
        off, context=Context(tolerance=Decimal("0.01"))
    )


def test_a_standing_made_past_the_frozen_init_equals_the_constructed_one() -> None:
    """Regression: `standing` makes its `Standing` with `frozen`, which must be the dataclass's own value."""
    sample = dailyseg.read(SAMPLE).filing
    for statement in sample.statements:
        place = standing(sample, statement)
        assert place == Standing(**{f.name: getattr(place, f.name) for f in fields(Standing)})
        assert hash(place) == hash(Standing(**{f.name: getattr(place, f.name) for f in fields(Standing)}))
    assert frozen(Header, status="INITIAL", end_date=None, firm_name="A", form="F", submit_date=None) == Header("INITIAL", None, "A", "F")
