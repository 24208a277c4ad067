"""What an engine returns, in a module of its own: computing totals needs neither the catalogue nor the rules
that `assemble` loads to place them on lines (a tenth of a CPU second in a small book's process)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The per-account measures an engine sums by class and currency (`Totals.customers`).
MEASURES = ("cash", "securities", "unrealized", "long_option_value", "short_option_value", "deficit", "offset", "undermargined")


@dataclass(frozen=True)
class Totals:
    """What an engine returns: measures by class and currency; balances by depository, class, asset, currency."""

    customers: tuple[dict[str, Any], ...]
    balances: tuple[dict[str, Any], ...]
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def normalized(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Sorted rows with zero-free measures, for comparing two computations exactly."""

        def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
            return tuple((k, row[k].normalize() if isinstance(row[k], Decimal) else row[k]) for k in sorted(row))

        return sorted(key(r) for r in self.customers), sorted(key(r) for r in self.balances)
