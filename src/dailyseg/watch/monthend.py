"""A firm's month-end figures from the CFTC's table set beside its own daily filing for the same day.

The CFTC's table is compiled from the firms' month-end financial reports, and the daily filing for the same
End Date reports the same four figures per customer class. They should agree; where they do not, one of the
two was amended later or one of them is wrong, and a reviewer wants to see which figure, by how much.
Which filing code stands for each figure comes from the catalogue (each statement's requirement, funds,
excess and target lines); the CFTC's columns are the `<pool>_<measure>` fields `import-cftc` stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from dailyseg.catalogue import CATALOGUE
from dailyseg.catalogue.model import Statement

if TYPE_CHECKING:
    from dailyseg.store import Store

# The CFTC table's pools and the statements that report the same customer class.
POOL_STATEMENTS = {"seg": "segregation", "secured": "secured", "swaps": "swaps"}
# The CFTC table's measures and the catalogue's key line each stands for.
KEY_LINE_OF = {"funds": "funds", "required": "requirement", "excess": "excess", "target": "target"}
MEASURES = tuple(KEY_LINE_OF)


def _code(statement: Statement, measure: str) -> int:
    return int(statement.key_refs[KEY_LINE_OF[measure]])


@dataclass(frozen=True)
class MonthEndFigure:
    """One figure of one month end: the CFTC's value, the daily filing's value, and what separates them."""

    as_of: date
    statement: str
    measure: str
    code: int
    cftc: Decimal | None
    filed: Decimal | None
    filing_id: int | None

    @property
    def difference(self) -> Decimal | None:
        """Filed minus CFTC, where both are known."""
        return None if self.cftc is None or self.filed is None else self.filed - self.cftc

    @property
    def status(self) -> str:
        if self.filing_id is None:
            return "no daily filing"
        if self.cftc is None or self.filed is None:
            return "not reported" if self.filed is None else "not in the CFTC table"
        return "agrees" if self.difference == 0 else "differs"


def compare_month_end(store: Store, firm: str, start: date | None = None, end: date | None = None) -> list[MonthEndFigure]:
    """Every CFTC month-end figure of `firm` between `start` and `end` beside its daily filing of record."""
    observed = [
        (day, values) for day, values in store.cftc_month_ends(firm) if (start is None or day >= start) and (end is None or day <= end)
    ]
    if not observed:
        return []
    statements = {pool: CATALOGUE.statement_by_id[statement] for pool, statement in POOL_STATEMENTS.items()}
    codes = sorted({str(_code(s, m)) for s in statements.values() for m in MEASURES})
    filed = {(point.end_date, point.code): point for point in store.history(firm, codes, observed[0][0], observed[-1][0])}
    filing_of = {day: point.filing_id for (day, _), point in filed.items()}
    figures = []
    for day, values in observed:
        for pool, statement in statements.items():
            if not any(key.startswith(f"{pool}_") for key in values):
                continue
            for measure in MEASURES:
                code = _code(statement, measure)
                point = filed.get((day, str(code)))
                figures.append(
                    MonthEndFigure(
                        day,
                        statement.id,
                        measure,
                        code,
                        values.get(f"{pool}_{measure}"),
                        point.value if point is not None else None,
                        filing_of.get(day),
                    )
                )
    return figures
