"""A firm's filings day by day, as the firm page's table (and its CSV and XLSX) shows them, a page at a time.

Every business day of the range is a row: a filed day with its filing of record's figures per statement
(excess, its change from the prior filed day, excess over the target, as `watch.status.StatementFigures`
holds them for the latest day), a day with no filing as NOT FILED. Nothing is judged here: a statement's
standing comes from `dailyseg.standing` (so a deficiency or a shortfall against the target is the rules'),
lateness by the late-initial rule's test, and a day with no filing is a business day of the calendar between the
firm's first filing and the as-of day with no version stored.

Only the rows of the page asked for read their filings' key lines (60 at a time, and the one filed before
them for the change; a standing reads nothing else); the days themselves come from the version heads, kept while the firm is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi import Request

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.header import late_initial
from dailyseg.standing import standing, standings
from dailyseg.store import Store
from dailyseg.watch.status import StatementFigures
from dailyseg.web.cache import answers
from dailyseg.web.views import MARKS, Day, Part, StatementColumn, days_of, firms_statement_columns

PAGE_DAYS = 60
# The highest page a URL may ask for: 60 days a page cover the calendar dailyseg accepts (deps.FIRST_DAY to LAST_DAY).
MAX_PAGE = 2000
# The figures of each statement the history shows: how it stands, and how that moved.
HISTORY_PARTS = (
    Part("excess", CATALOGUE.key_line_by_id["excess"].label),
    Part("excess_change", "Day change"),
    Part("over_target", "Excess vs target"),
)
# The lines a statement's standing reads (`dailyseg.standing`: its key lines), the only values the rows need.
STANDING_CODES = tuple(ref for s in CATALOGUE.statements for ref in s.key_refs.values())
# A row's marks as the firms list's (tag, word, class), with the two the table is about in plain words.
ROW_MARKS = {**MARKS, "missing-day": ("NOT FILED", "", MARKS["missing-day"][2]), "late-initial": ("LATE", "", MARKS["late-initial"][2])}


@dataclass(frozen=True)
class HistoryRow:
    """One business day (or a filed non-business day) of the firm: its versions, or none when not filed."""

    end_date: date
    day: Day | None
    statements: dict[str, StatementFigures]

    @property
    def filed(self) -> bool:
        return self.day is not None

    @property
    def late(self) -> bool:
        """The day's INITIAL (of record or replaced) was submitted after its deadline (the late-initial rule's test)."""
        return self.day is not None and any(late_initial(v.status.upper(), v.end_date, v.submit_date) for v in self.day.versions)

    @property
    def amended(self) -> bool:
        return self.day is not None and (self.day.record.status.upper() == "AMENDED" or self.day.record.version > 1)

    def marks(self) -> list[str]:
        """The rule ids of the row's marks (the firm page shows them as the firms list does), worst first."""
        if self.day is None:
            return ["missing-day"]
        found = [("deficiency", any(s.standing.deficient for s in self.statements.values()))]
        found += [("below-target", any(s.standing.below_target for s in self.statements.values()))]
        found += [("late-initial", self.late), ("amended", self.amended)]
        return [rule for rule, hit in found if hit]


@dataclass(frozen=True)
class HistoryPage:
    """The rows of one page (latest first), where the page sits in the range, and the statements shown."""

    rows: list[HistoryRow]
    page: int
    pages: int
    total: int
    columns: list[StatementColumn]

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row among the range's rows (0 when there is none)."""
        return (self.page - 1) * PAGE_DAYS + 1 if self.rows else 0


def firm_days(request: Request, store: Store, firm_id: str) -> list[Day]:
    """Every End Date the firm filed, latest first, with its versions (version heads only), kept while the
    firm is unchanged: paging through ten years reads them once."""
    return answers(request).get(store, ("firm-days", firm_id), lambda: days_of(store.filings(firm_id)), firm=firm_id)


def history_now(
    request: Request, store: Store, firm_id: str, start: date | None, end: date | None, as_of: date | None, page: int
) -> HistoryPage:
    """`history_page` of the firm's range as of `as_of`, kept while the firm is unchanged: a page's rows read
    sixty filings' key lines, which a firm page asked again (or by another visitor) need not read again."""
    days = firm_days(request, store, firm_id)
    return answers(request).get(
        store,
        ("history", firm_id, start, end, as_of, page),
        lambda: history_page(store, range_days(days, start, end, as_of), days, page),
        firm=firm_id,
    )


def range_days(days: list[Day], start: date | None, end: date | None, as_of: date | None) -> list[tuple[date, Day | None]]:
    """The range's rows, latest first: each filed day, and each business day from the firm's first filing to
    the as-of day (or `end`, the earlier) without one."""
    if not days:
        return []
    filed = {d.end_date: d for d in days if (start is None or d.end_date >= start) and (end is None or d.end_date <= end)}
    first, last = days[-1].end_date, max(days[0].end_date, as_of or days[0].end_date)
    lo, hi = max(first, start or first), min(last, end or last)
    missing = [day for day in business_days(lo, hi) if day not in filed] if lo <= hi else []
    rows: list[tuple[date, Day | None]] = [*filed.items(), *((day, None) for day in missing)]
    return sorted(rows, key=lambda r: r[0], reverse=True)


def pages_of(total: int) -> int:
    return max(1, -(-total // PAGE_DAYS))


def history_page(store: Store, rows: list[tuple[date, Day | None]], days: list[Day], page: int | None) -> HistoryPage:
    """The rows of page `page` (1 is the latest; past the last page, the last) with their figures."""
    pages = pages_of(len(rows))
    chosen = min(max(page or 1, 1), pages)
    shown = figured(store, rows[(chosen - 1) * PAGE_DAYS : chosen * PAGE_DAYS], days)
    return HistoryPage(shown, chosen, pages, len(rows), shown_columns(shown))


def figured(store: Store, rows: list[tuple[date, Day | None]], days: list[Day]) -> list[HistoryRow]:
    """Rows with each filed day's figures per statement; the change is from the filed day before it, which
    may lie before the rows (it is read too)."""
    filed = [day for _, day in rows if day is not None]
    if not filed:
        return [HistoryRow(when, None, {}) for when, _ in rows]
    oldest = filed[-1].end_date
    before = next((d for d in days if d.end_date < oldest), None)
    wanted = [*(d.record for d in filed), *([before.record] if before is not None else [])]
    content = dict(zip((v.id for v in wanted), store.contents(wanted, STANDING_CODES), strict=True))
    ordered = [*filed, *([before] if before is not None else [])]
    prior = {day.end_date: ordered[i + 1] for i, day in enumerate(ordered[:-1])}
    found = []
    for when, day in rows:
        if day is None:
            found.append(HistoryRow(when, None, {}))
            continue
        filing = content[day.record.id]
        earlier = prior.get(when)
        previous = content[earlier.record.id] if earlier is not None else None
        figures = {}
        for sid, place in standings(filing).items():
            was = standing(previous, sid).excess if previous is not None else None
            figures[sid] = StatementFigures(place, place.excess - was if place.excess is not None and was is not None else None)
        found.append(HistoryRow(when, day, figures))
    return found


def shown_columns(rows: list[HistoryRow]) -> list[StatementColumn]:
    """The statements any row carries, segregation first as on the firms list (a firm without swaps gets no swaps columns)."""
    present = {sid for row in rows for sid in row.statements}
    return [c for c in firms_statement_columns() if c.id in present]


def value(row: HistoryRow, statement: str, part: str) -> Decimal | None:
    figures = row.statements.get(statement)
    return figures.value(part) if figures is not None else None
