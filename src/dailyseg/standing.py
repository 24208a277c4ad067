"""Where a statement of a filing stands: requirement, funds, excess, target and the excess over the target.

Computed here once, so the rules (a deficiency, a shortfall against the target), the firms list and the pages
cannot read a statement's standing differently. The target is the filed target line when there is one, else
the cover page's target in dollars (form-spec 8.9, a presumed derivation); the excess over the target is the
filed line (7198, 7785, 8770) when there is one, else excess minus target.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing, frozen
from dailyseg.money import to_dollars

# Dollars, or integer cents (what the chart reads): the judgments below compare signs and subtract, so
# either gives the same answer.
Amount = TypeVar("Amount", Decimal, int)


@dataclass(frozen=True)
class Standing:
    statement: str
    requirement: Decimal | None
    funds: Decimal | None
    excess: Decimal | None
    target: Decimal | None
    target_source: str
    over_target: Decimal | None

    @property
    def excess_percent(self) -> Decimal | None:
        """Excess as a percentage of the requirement, to two places (None without a positive requirement)."""
        if self.excess is None or not self.requirement or self.requirement <= 0:
            return None
        return (self.excess * 100 / self.requirement).quantize(Decimal("0.01"))

    @property
    def deficient(self) -> bool:
        return is_deficient(self.excess)

    @property
    def below_target(self) -> bool:
        return is_below_target(self.excess, self.over_target)


def is_deficient(excess: Amount | None) -> bool:
    return excess is not None and excess < 0


def is_below_target(excess: Amount | None, over_target: Amount | None) -> bool:
    """Under the target while not deficient: a deficiency is its own, stronger event."""
    return not is_deficient(excess) and over_target is not None and over_target < 0


def over_target_of(filed: Amount | None, excess: Amount | None, target: Amount | None) -> Amount | None:
    """The excess over the target: the filed line, else excess minus target (None without both)."""
    if filed is None and excess is not None and target is not None:
        return excess - target
    return filed


# Each statement's key lines as the filing's keys, and where a filed target comes from: looked up once.
_KEYS = {
    s.id: (str(s.requirement), str(s.funds), str(s.excess), str(s.target), str(s.excess_over_target), f"line {s.target}")
    for s in CATALOGUE.statements
}


def standing(filing: Filing, statement_id: str) -> Standing:
    requirement_key, funds_key, excess_key, target_key, over_key, line = _KEYS[statement_id]
    get = filing.amounts.get
    requirement, excess, target = get(requirement_key), get(excess_key), get(target_key)
    source = line
    cover = filing.cover.target(statement_id) if filing.cover else None
    if target is None and cover is not None and requirement is not None:
        target, source = to_dollars(cover.dollars(requirement)), "cover page"
    if target is None:
        source = ""
    return frozen(
        Standing,
        statement=statement_id,
        requirement=requirement,
        funds=get(funds_key),
        excess=excess,
        target=target,
        target_source=source,
        over_target=over_target_of(get(over_key), excess, target),
    )


def standings(filing: Filing) -> dict[str, Standing]:
    """The standing of each statement the filing carries, in catalogue order."""
    amounts, statements = filing.amounts, filing.statements
    return {s.id: standing(filing, s.id) for s in CATALOGUE.statements if s.id in statements or _KEYS[s.id][2] in amounts}
