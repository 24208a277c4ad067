"""The withdrawal rules, decided without a store: the 25% threshold over any series, and the 1.23(b) gate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailyseg.checks import REGISTRY
from dailyseg.standing import Standing
from dailyseg.withdrawals.rules import Basis, assess, gate

DAY = date(2024, 3, 4)
cents = st.integers(min_value=1, max_value=10**13).map(lambda c: Decimal(c) / 100)
residuals = st.integers(min_value=-(10**13), max_value=10**13).map(lambda c: Decimal(c) / 100)
withdrawals = st.lists(st.tuples(cents, st.booleans()), min_size=1, max_size=12)


def _basis(residual: Decimal, target: Decimal | None = None, statement: str = "segregation") -> Basis:
    place = Standing(statement, Decimal(10**9), Decimal(10**9) + residual, residual, target, "line", None)
    return Basis(DAY, "filing 1", place)


@given(residual=residuals, series=withdrawals)
def test_approval_is_needed_exactly_when_the_series_exceeds_a_quarter(residual: Decimal, series: list[tuple[Decimal, bool]]) -> None:
    """Approval for a non-customer withdrawal exactly when the series' non-customer total, this one included,
    exceeds (not merely reaches) 25% of the prior day's residual interest; never for customers; once crossed,
    for every further non-customer withdrawal of the series."""
    basis = _basis(residual)
    earlier = earlier_all = Decimal(0)
    crossed = False
    for amount, for_customers in series:
        made = assess("segregation", basis, amount, for_customers=for_customers, earlier=earlier, earlier_all=earlier_all)
        if not for_customers:
            earlier += amount
        earlier_all += amount
        expected = not for_customers and earlier * 4 > residual
        assert made.needs_approval == expected
        assert made.estimated_after == residual - earlier_all
        if crossed and not for_customers:
            assert made.needs_approval
        crossed = crossed or made.needs_approval
        if made.finding is not None:
            assert (made.finding.rule, made.finding.citation) == ("withdrawal-25", "17 CFR 1.23(d)")
            assert made.finding.actual == earlier and made.finding.expected == residual * Decimal("0.25")


@pytest.mark.parametrize(("amount", "needed"), [("250000.00", False), ("250000.01", True)])
def test_exactly_a_quarter_needs_no_approval_and_a_cent_more_does(amount: str, needed: bool) -> None:
    made = assess(
        "segregation", _basis(Decimal("1000000.00")), Decimal(amount), for_customers=False, earlier=Decimal(0), earlier_all=Decimal(0)
    )
    assert made.needs_approval is needed


def test_the_estimate_after_is_measured_against_the_target() -> None:
    basis = _basis(Decimal(1000), target=Decimal(900))
    made = assess("secured", basis, Decimal(300), for_customers=False, earlier=Decimal(0), earlier_all=Decimal(0))
    assert (made.estimated_after, made.short_of_target) == (Decimal(700), Decimal(200))
    within = assess("secured", basis, Decimal(50), for_customers=False, earlier=Decimal(0), earlier_all=Decimal(0))
    assert within.short_of_target == Decimal(0) and not within.needs_approval


@pytest.mark.parametrize(
    ("statement", "citation"), [("segregation", "17 CFR 1.23(b)"), ("secured", "17 CFR 30.7(g)(2)"), ("swaps", "17 CFR 22.17(b)")]
)
def test_no_withdrawal_before_the_prior_days_computation(statement: str, citation: str) -> None:
    refused = gate(statement, date(2024, 3, 5), DAY, None, for_customers=False)
    assert refused is not None and refused.rule == "withdrawal-gate" and refused.citation == citation
    assert "2024-03-04" in refused.message and REGISTRY["withdrawal-gate"].severity == "error"
    assert gate(statement, date(2024, 3, 5), DAY, None, for_customers=True) is None
    assert gate(statement, date(2024, 3, 5), DAY, _basis(Decimal(1), statement=statement), for_customers=False) is None
