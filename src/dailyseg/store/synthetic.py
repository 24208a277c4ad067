"""Generated filings that foot: for the store's tests, its benchmark and demonstrations.

Each filing carries the three statements' requirement, funds lines, totals, excess and target lines in
the full layout, built so that funds minus requirement equals the excess exactly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal

from dailyseg.calendar import business_days, next_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing, Header

FORM = "Daily Seg - FOCUS II"
# Funds lines and their share of a statement's funds (the rest sits at banks, the first line).
_FUNDS_SHARES: Mapping[str, tuple[tuple[int, int], ...]] = {
    "segregation": ((7070, 30), (7080, 10), (7100, 35), (7110, 15), (7140, 5), (7170, 5)),
    "secured": ((7500, 40), (7540, 10), (7580, 20), (7640, 20), (7700, 10)),
    "swaps": ((8600, 30), (8610, 10), (8630, 40), (8640, 15), (8690, 5)),
}


def statement_amounts(statement: str, requirement: Decimal, funds: Decimal, target: Decimal) -> dict[int | str, Decimal]:
    """The coded amounts of one statement: requirement, funds spread over lines, total, excess, target."""
    spec = CATALOGUE.statement_by_id[statement]
    amounts: dict[int | str, Decimal] = {}
    remaining = funds
    shares = _FUNDS_SHARES[statement]
    for code, share in shares[1:]:
        part = (funds * share / 100).quantize(Decimal(1))
        amounts[code] = part
        remaining -= part
    amounts[shares[0][0]] = remaining
    excess = funds - requirement
    amounts.update(
        {
            spec.requirement: requirement,
            spec.funds: funds,
            spec.excess: excess,
            spec.target: target,
            spec.excess_over_target: excess - target,
        }
    )
    return amounts


def daily_filing(
    firm: str,
    day: date,
    *,
    requirement: Decimal,
    funds: Decimal,
    target: Decimal = Decimal(0),
    status: str = "INITIAL",
    submit: date | None = None,
) -> Filing:
    """One filing whose three statements all have this requirement, funds and target."""
    amounts: dict[int | str, Decimal] = {}
    for statement in ("segregation", "secured", "swaps"):
        amounts.update(statement_amounts(statement, requirement, funds, target))
    amounts[7305] = requirement
    amounts[7355] = requirement
    header = Header(status, day, firm, FORM, submit or next_business_day(day))
    return Filing.of(header, amounts, layout="full")


def series(firm: str, start: date, end: date, *, seed: int = 0) -> Iterator[Filing]:
    """A firm's filings on every business day from `start` to `end`: a random walk with positive excess."""
    rng = random.Random(seed)
    requirement = Decimal(rng.randrange(100_000_000, 5_000_000_000))
    for day in business_days(start, end):
        requirement = max(Decimal(1_000_000), requirement + Decimal(rng.randrange(-20_000_000, 20_000_001)))
        excess = (requirement * Decimal(rng.randrange(5, 15)) / 100).quantize(Decimal(1))
        yield daily_filing(firm, day, requirement=requirement, funds=requirement + excess, target=(requirement / 20).quantize(Decimal(1)))
