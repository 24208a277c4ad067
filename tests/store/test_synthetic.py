"""The generator: every filing it makes foots and validates clean; a series moves like a firm's books; each
injected fault gives its condition on its day and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.calendar import business_days, is_business_day, next_business_day
from dailyseg.catalogue import CATALOGUE, Statement
from dailyseg.checks import REGISTRY, Finding, validate
from dailyseg.filing import Filing
from dailyseg.store import synthetic
from dailyseg.store.synthetic import Faults, daily_filing, series

D = Decimal
STATEMENTS = [s.id for s in CATALOGUE.statements]
START, END = date(2024, 1, 2), date(2024, 2, 29)  # 41 business days
DAYS = business_days(START, END)
Z = D("0.6745")


def _findings(filing: Filing) -> list[Finding]:
    """Every rule over one filing, the strict tier's soft cross-checks included."""
    return validate(filing, tier="strict")


def _foots(filing: Filing) -> bool:
    """Every formula of the layout, soft ties included, holds to the cent, and every coded line is filed."""
    amounts = filing.amounts
    coded = {r.ref for s in CATALOGUE.statements for r in s.rows(filing.layout) if r.code is not None}
    return coded <= amounts.keys() and all(amounts[f.target] == f.evaluate(amounts) for f in CATALOGUE.formulas_for(filing.layout))


def _by_day(filings: Sequence[Filing]) -> dict[date, Filing]:
    """The filing of record of each day: the AMENDED version where there is one."""
    records: dict[date, Filing] = {}
    for filing in filings:
        day = filing.header.end_date
        assert day is not None
        if day not in records or filing.header.status == "AMENDED":
            records[day] = filing
    return records


def _excess(filing: Filing, statement: Statement) -> Decimal:
    return filing[statement.excess]


def _drawdowns(filings: Sequence[Filing]) -> set[tuple[date, str]]:
    """(day, statement) where excess fell by more than 25% of the prior filed day's positive excess."""
    records = sorted(_by_day(filings).items())
    found = set()
    for (_, before), (day, after) in pairwise(records):
        for s in CATALOGUE.statements:
            prior = _excess(before, s)
            if prior > 0 and _excess(after, s) < prior * D("0.75"):
                found.add((day, s.id))
    return found


def _shortfalls(filings: Sequence[Filing]) -> set[tuple[date, str, str]]:
    """(day, statement, "deficiency" | "below-target") wherever excess is under zero or under the target."""
    found = set()
    for day, filing in _by_day(filings).items():
        for s in CATALOGUE.statements:
            excess, target = _excess(filing, s), filing[s.target]
            if excess < 0:
                found.add((day, s.id, "deficiency"))
            elif excess < target:
                found.add((day, s.id, "below-target"))
    return found


def _watched(statement: Statement) -> list[str]:
    """The requirement and every coded funds line but the excess and target lines: what a move detector watches."""
    skip = {str(statement.excess), str(statement.target), str(statement.excess_over_target)}
    funds = [
        row.ref
        for section in statement.sections_in("full")
        if section.id == "funds"
        for row in section.rows
        if row.ref and row.code is not None and "full" in row.layouts and row.ref not in skip
    ]
    return [str(statement.requirement), *funds]


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _unusual(values: Sequence[Decimal]) -> list[int]:
    """Positions of changes whose robust z over the trailing 20 changes (at least 10) is beyond 5, and >= $1M."""
    changes = [b - a for a, b in pairwise(values)]
    found = []
    for i in range(10, len(changes)):
        if abs(changes[i]) < 1_000_000:
            continue
        history = changes[max(0, i - 20) : i]
        centre = _median(history)
        spread = _median([abs(x - centre) for x in history])
        if spread == 0 or abs(Z * (changes[i] - centre) / spread) > 5:
            found.append(i + 1)
    return found


# -- one filing ---------------------------------------------------------------------------------------------

business_dates = st.dates(date(2014, 1, 1), date(2030, 12, 31)).filter(is_business_day)
cents = st.integers(0, 10**14).map(lambda n: D(n).scaleb(-2))


@settings(max_examples=40, deadline=None)
@given(firm=st.sampled_from(["Acme Futures LLC", "Z"]), day=business_dates, requirement=cents, target=cents, spare=cents)
def test_a_filing_that_covers_its_target_validates_clean(
    firm: str, day: date, requirement: Decimal, target: Decimal, spare: Decimal
) -> None:
    filing = daily_filing(firm, day, requirement=requirement, funds=requirement + target + spare, target=target)
    assert _foots(filing)
    assert _findings(filing) == []
    for s in CATALOGUE.statements:
        assert (filing[s.requirement], filing[s.funds], filing[s.target]) == (requirement, requirement + target + spare, target)
        assert filing[s.excess] == target + spare


@settings(max_examples=15, deadline=None)
@given(day=business_dates, requirement=cents, short=st.integers(1, 10**9).map(D))
def test_funds_below_the_requirement_are_a_deficiency_and_nothing_else(day: date, requirement: Decimal, short: Decimal) -> None:
    filing = daily_filing("Acme Futures LLC", day, requirement=requirement, funds=requirement - short)
    assert _foots(filing)
    negative = {"funds-negative"} if requirement < short else set()
    assert {(f.rule, f.statement) for f in _findings(filing)} == {("deficiency", s) for s in STATEMENTS} | {
        (rule, s) for rule in negative for s in STATEMENTS
    }


def test_negative_requirement_or_target_is_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        daily_filing("Acme", DAYS[0], requirement=D(-1), funds=D(0))
    with pytest.raises(ValueError, match="never negative"):
        daily_filing("Acme", DAYS[0], requirement=D(1), funds=D(5), target=D(-1))


def test_the_generator_names_no_form_code() -> None:
    source = Path(synthetic.__file__).read_text("utf-8")
    assert [m.group() for m in re.finditer(r"(?<![\d.])[78]\d{3}(?![\d])", source)] == []


# -- a series -----------------------------------------------------------------------------------------------


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32), start=st.dates(date(2014, 1, 1), date(2030, 1, 1)))
def test_every_filing_of_a_series_validates_clean(seed: int, start: date) -> None:
    filings = list(series("Acme Futures LLC", start, date.fromordinal(start.toordinal() + 45), seed=seed))
    assert [f.header.end_date for f in filings] == business_days(start, date.fromordinal(start.toordinal() + 45))
    for filing in filings:
        assert _foots(filing) and _findings(filing) == []
        assert filing.header.status == "INITIAL" and filing.header.end_date is not None
        assert filing.header.submit_date == next_business_day(filing.header.end_date)


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@pytest.mark.parametrize("seed", [0, 7, 13])
def test_two_clean_years_move_like_books(seed: int) -> None:
    """No deficiency, shortfall or fall of more than 25%, and no move a robust z score would call unusual."""
    filings = list(series("Acme Futures LLC", date(2023, 1, 2), date(2024, 12, 31), seed=seed))
    assert len(filings) == 502
    assert _shortfalls(filings) == set()
    assert _drawdowns(filings) == set()
    for s in CATALOGUE.statements:
        assert all(f[s.excess] >= 2 * f[s.target] > 0 for f in filings)
        for ref in _watched(s):
            assert _unusual([f[ref] for f in filings]) == [], (s.id, ref)


def test_the_same_seed_gives_the_same_series() -> None:
    assert list(series("A", START, END, seed=3)) == list(series("A", START, END, seed=3))
    assert list(series("A", START, END, seed=3)) != list(series("A", START, END, seed=4))


# -- injected faults ----------------------------------------------------------------------------------------

fault_days = st.integers(2, len(DAYS) - 2).map(DAYS.__getitem__)
statements = st.sampled_from(STATEMENTS)
seeds = st.integers(0, 1000)


def _faulted(faults: Faults, seed: int) -> list[Filing]:
    filings = list(series("Acme Futures LLC", START, END, seed=seed, faults=faults))
    assert all(_foots(f) for f in filings)
    return filings


def _found(filings: Sequence[Filing]) -> set[tuple[date | None, str, str | None]]:
    return {(f.header.end_date, x.rule, x.statement) for f in filings for x in _findings(f)}


@settings(max_examples=3, deadline=None)
@given(day=fault_days, statement=statements, seed=seeds)
def test_deficiency_fault(day: date, statement: str, seed: int) -> None:
    """Excess below zero on the day; a fall from positive excess to below zero is necessarily more than 25%."""
    filings = _faulted(Faults(deficiency=((day, statement),)), seed)
    assert _shortfalls(filings) == {(day, statement, "deficiency")}
    assert _drawdowns(filings) == {(day, statement)}
    assert _found(filings) == {(day, "deficiency", statement)}


@settings(max_examples=3, deadline=None)
@given(day=fault_days, statement=statements, seed=seeds)
def test_below_target_fault(day: date, statement: str, seed: int) -> None:
    filings = _faulted(Faults(below_target=((day, statement),)), seed)
    record = _by_day(filings)[day]
    spec = CATALOGUE.statement_by_id[statement]
    assert 0 <= record[spec.excess] < record[spec.target]
    assert _shortfalls(filings) == {(day, statement, "below-target")}
    assert _drawdowns(filings) == set()
    assert _found(filings) == {(day, "below-target", statement)}


@settings(max_examples=3, deadline=None)
@given(day=fault_days, statement=statements, seed=seeds)
def test_drawdown_fault(day: date, statement: str, seed: int) -> None:
    """A fall of more than 25% that leaves excess above the target: no single filing shows it."""
    filings = _faulted(Faults(drawdown=((day, statement),)), seed)
    assert _drawdowns(filings) == {(day, statement)}
    assert _shortfalls(filings) == set()
    assert _found(filings) == set()
    spec = CATALOGUE.statement_by_id[statement]
    for ref in _watched(spec):  # the requirement rises and funds fall, each by no more than a usual day's move
        assert _unusual([f[ref] for f in filings]) == [], ref


@settings(max_examples=3, deadline=None)
@given(day=fault_days, seed=seeds)
def test_late_fault(day: date, seed: int) -> None:
    filings = _faulted(Faults(late=(day,)), seed)
    late = [f for f in filings if f.header.submit_date != next_business_day(f.header.end_date or day)]
    assert [f.header.end_date for f in late] == [day]
    assert late[0].header.status == "INITIAL" and late[0].header.submit_date == next_business_day(next_business_day(day))
    assert _found(filings) == {(day, "late-initial", None)}
    assert _shortfalls(filings) == set() and _drawdowns(filings) == set()


@settings(max_examples=3, deadline=None)
@given(day=fault_days, seed=seeds)
def test_missing_day_fault(day: date, seed: int) -> None:
    filings = _faulted(Faults(missing_day=(day,)), seed)
    assert [f.header.end_date for f in filings] == [d for d in DAYS if d != day]
    assert _found(filings) == set()
    assert _shortfalls(filings) == set() and _drawdowns(filings) == set()
    for s in CATALOGUE.statements:  # the walk waits for the missing day: the next move is a usual one
        for ref in _watched(s):
            assert _unusual([f[ref] for f in filings]) == [], ref


def _amended(day: date) -> Faults:
    return Faults(amended=(day,))


def _amended_first(day: date) -> Faults:
    return Faults(amended_first=(day,))


@pytest.mark.parametrize(("faults", "order"), [(_amended, ["INITIAL", "AMENDED"]), (_amended_first, ["AMENDED", "INITIAL"])])
@settings(max_examples=3, deadline=None)
@given(day=fault_days, seed=seeds)
def test_amendment_faults(faults: Callable[[date], Faults], order: list[str], day: date, seed: int) -> None:
    """Two versions of the day, the AMENDED submitted later with other amounts; `amended_first` yields it first."""
    filings = _faulted(faults(day), seed)
    assert [f.header.end_date for f in filings if f.header.end_date != day] == [d for d in DAYS if d != day]
    versions = [f for f in filings if f.header.end_date == day]
    assert [f.header.status for f in versions] == order
    initial, amended = sorted(versions, key=lambda f: f.header.status != "INITIAL")
    assert initial.header.submit_date is not None and amended.header.submit_date is not None
    assert amended.header.submit_date > initial.header.submit_date
    assert initial.amounts != amended.amounts
    assert _found(filings) == set()
    assert _shortfalls(filings) == set() and _drawdowns(filings) == set()


def test_faults_are_named_after_the_rules_that_find_them() -> None:
    assert set(Faults.RULES) == {f.name for f in fields(Faults)}
    assert set(Faults.RULES.values()) <= set(REGISTRY)


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        (Faults(late=(date(2024, 1, 6),)), "not business days of the series"),  # a Saturday
        (Faults(amended=(date(2025, 1, 2),)), "not business days of the series"),
        (Faults(missing_day=(DAYS[0],)), "inside the series"),
    ],
)
def test_a_fault_off_the_series_is_refused_at_once(faults: Faults, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        series("Acme", START, END, faults=faults)


def test_a_fault_on_an_unknown_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="no statement"):
        Faults(deficiency=((DAYS[3], "futures"),))
