"""A firm's month-end figures from the CFTC's table set beside its own daily filing for the same day.

The CFTC's table is compiled from the firms' month-end financial reports, and the daily filing for the same
End Date reports the same four figures per customer class. They should agree; where they do not, one of the
two was amended later or one of them is wrong, and a reviewer wants to see which figure, by how much.
Which filing code stands for each figure comes from the catalogue (each statement's requirement, funds,
excess and target lines); the CFTC's columns are the `<pool>_<measure>` fields `import-cftc` stores.

NFA's public summary of the same firm, pool and day (`import-nfa`) is set beside them too, with the file it
came from: a third account of the same figures, published to customers. The days compared are those of
either source; where several summaries give one day and pool, the one stored last holds.
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
    nfa: Decimal | None = None
    nfa_source: str | None = None  # the file of NFA's summary of this day and pool, where one is stored

    @property
    def difference(self) -> Decimal | None:
        """Filed minus CFTC, where both are known."""
        return None if self.cftc is None or self.filed is None else self.filed - self.cftc

    @property
    def nfa_difference(self) -> Decimal | None:
        """Filed minus NFA's summary, where both are known."""
        return None if self.nfa is None or self.filed is None else self.filed - self.nfa

    @property
    def status(self) -> str:
        if self.filing_id is None:
            return "no daily filing"
        if self.filed is None:
            return "not reported"
        published = [v for v in (self.cftc, self.nfa) if v is not None]
        if not published:
            return "not in the CFTC table"
        return "agrees" if all(v == self.filed for v in published) else "differs"


def _nfa_by_day(store: Store, firm: str) -> dict[date, dict[str, tuple[dict[str, Decimal], str]]]:
    """NFA's figures by day and pool, with their file; a summary stored later replaces one stored before."""
    found: dict[date, dict[str, tuple[dict[str, Decimal], str]]] = {}
    for summary in store.nfa_summaries(firm):
        found.setdefault(summary.as_of, {})[summary.pool] = (summary.values, summary.source)
    return found


def compare_month_end(store: Store, firm: str, start: date | None = None, end: date | None = None) -> list[MonthEndFigure]:
    """Every CFTC and NFA figure of `firm` between `start` and `end` beside its daily filing of record."""
    cftc = dict(store.cftc_month_ends(firm))
    nfa = _nfa_by_day(store, firm)
    days = sorted(d for d in cftc.keys() | nfa.keys() if (start is None or d >= start) and (end is None or d <= end))
    if not days:
        return []
    statements = {pool: CATALOGUE.statement_by_id[statement] for pool, statement in POOL_STATEMENTS.items()}
    codes = sorted({str(_code(s, m)) for s in statements.values() for m in MEASURES})
    filed = {(point.end_date, point.code): point for point in store.history(firm, codes, days[0], days[-1])}
    filing_of = {day: point.filing_id for (day, _), point in filed.items()}
    figures = []
    for day in days:
        values = cftc.get(day, {})
        for pool, statement in statements.items():
            summary, source = nfa.get(day, {}).get(pool, ({}, None))
            if source is None and not any(key.startswith(f"{pool}_") for key in values):
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
                        summary.get(measure),
                        source,
                    )
                )
    return figures
