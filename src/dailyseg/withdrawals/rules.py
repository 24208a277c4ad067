"""The decisions of the withdrawal rules (dailyseg.checks.withdrawals): refused before the prior day's computation,
or needing approval past 25% of its residual interest.

Amounts are positive, so the running total of a series (the same firm, class and prior-day computation) only
grows: once it exceeds the threshold, every further non-customer withdrawal of the series exceeds it too and
needs its own approval and notice, as the rules ask "until the next daily computation". A series ends with its
computation: the next business day's withdrawals are measured against the next computation, and are refused by
the gate until that computation is complete.

These functions only decide; the ledger (dailyseg.store.withdrawals) reads the store, records and audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding, Hit
from dailyseg.checks.withdrawals import GATE, OVER_25
from dailyseg.money import format_amount
from dailyseg.standing import Standing

SHARE = Decimal("0.25")


@dataclass(frozen=True)
class Basis:
    """The prior business day's computation of a class that a withdrawal is measured against: where it is kept
    ("close 3" or "filing 12") and where the class stood (its residual interest is the standing's excess)."""

    day: date
    source: str
    standing: Standing

    @property
    def residual_interest(self) -> Decimal:
        return self.standing.excess or Decimal(0)


@dataclass(frozen=True)
class Assessment:
    """What the rules say of a withdrawal: whether it needs approval, and the figures that decided it."""

    series: Decimal  # the series' non-customer withdrawals, this one included
    threshold: Decimal | None  # 25% of the basis's residual interest (None: no basis, a withdrawal for customers)
    estimated_after: Decimal | None  # residual interest less every withdrawal of the series, this one included
    finding: Finding | None  # withdrawal-25, when approval is needed
    short_of_target: Decimal | None = None  # how far the estimate after it falls below the target (0: not below; None: no target)

    @property
    def needs_approval(self) -> bool:
        return self.finding is not None


def gate(statement: str, day: date, basis_day: date, basis: Basis | None, *, for_customers: bool) -> Finding | None:
    """The refusal of a withdrawal on `day` made before the computation of `basis_day` is complete, or None."""
    if basis is not None or for_customers:
        return None
    name = CATALOGUE.statement_by_id[statement].name
    message = (
        f"{name}: no withdrawal other than to or for customers on {day.isoformat()} before the computation of the prior business "
        f"day {basis_day.isoformat()} is complete (no approved or filed close, and no stored filing, of that day)"
    )
    return GATE.stamp(Hit(message, statement=statement, expected="a complete computation", actual="none"))


def assess(
    statement: str, basis: Basis | None, amount: Decimal, *, for_customers: bool, earlier: Decimal, earlier_all: Decimal
) -> Assessment:
    """Assess a withdrawal of `amount` (US dollars, positive) after `earlier` non-customer withdrawals of its series
    (`earlier_all` counting those for customers too, which lower the residual interest but not toward the 25%)."""
    series = earlier if for_customers else earlier + amount
    if basis is None:
        return Assessment(series, None, None, None)
    threshold = basis.residual_interest * SHARE
    after = basis.residual_interest - earlier_all - amount
    target = basis.standing.target
    short = (target - after if after < target else Decimal(0)) if target is not None else None
    if for_customers or series <= threshold:
        return Assessment(series, threshold, after, None, short)
    name = CATALOGUE.statement_by_id[statement].name
    alone = "alone" if earlier == 0 else f"with {format_amount(earlier)} withdrawn before it"
    message = (
        f"{name}: a withdrawal of {format_amount(amount)} ({alone}: {format_amount(series)}) exceeds 25% "
        f"({format_amount(threshold)}) of the residual interest {format_amount(basis.residual_interest)} of {basis.day.isoformat()}"
    )
    hit = Hit(message, statement=statement, expected=threshold, actual=series, difference=series - threshold)
    return Assessment(series, threshold, after, OVER_25.stamp(hit), short)
