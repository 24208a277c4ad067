"""A firm's filings day by day, as the firm page's table (and its CSV and XLSX) shows them, a page at a time.

Every business day of the range is a row: a filed day with its filing of record's figures per statement
(excess, its change from the prior filed day, excess over the target, as `watch.status.StatementFigures`
holds them for the latest day), a day with no filing as NOT FILED. Nothing is judged here: a statement's
standing comes from `dailyseg.standing` (so a deficiency or a shortfall against the target is the rules'),
lateness by the late-initial rule's test, and a day with no filing is a business day of the calendar between the
firm's first filing and the as-of day with no version stored.

Only the rows of the page asked for read their filings' key lines (60 at a time, and the one filed before
them for the change; a standing reads nothing else); the days themselves come from the range's version heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.header import late_initial
from dailyseg.standing import standing, standings
from dailyseg.store import FilingVersion, Store
from dailyseg.watch.status import FirmStatus, StatementFigures, day_of, day_text, figures_data, figures_of
from dailyseg.web.cache import RequestAnswers
from dailyseg.web.templating import render_template
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


def filed_days(store: Store, firm_id: str, start: date | None, end: date | None) -> list[Day]:
    """The End Dates of the range the firm filed, latest first, with their versions (version heads only)."""
    return days_of(store.filings(firm_id, start, end))


def days_table(kept: RequestAnswers, store: Store, firm: FirmStatus, start: date | None, end: date | None, page: int) -> Markup:
    """The firm page's table of days (`_firm_days.html.j2`), rendered once for the firm's revision, range, as-of day
    and page: sixty rows of nine amounts are most of the page's time, and nothing in them depends on who asks."""

    def rendered() -> Markup:
        history = kept_history(kept, store, firm.firm_id, start, end, firm.as_of, page)
        shown = {"firm": firm, "history": history, "history_parts": HISTORY_PARTS, "row_marks": ROW_MARKS, "start": start, "end": end}
        return Markup(render_template("_firm_days.html.j2", shown))

    return kept.get(store, ("firm-days-html", firm.firm_id, start, end, firm.as_of, page), rendered, firm=firm.firm_id)


def kept_history(
    kept: RequestAnswers, store: Store, firm_id: str, start: date | None, end: date | None, as_of: date | None, page: int
) -> HistoryPage:
    key = "/".join(("" if d is None else d.isoformat()) for d in (start, end, as_of)) + f"/{page}"

    def judge() -> HistoryPage:
        return history_page(store, firm_id, range_days(store, firm_id, start, end, as_of), page)

    return kept.firm_answer(store, firm_id, "history", key, judge, page_to_json, page_from_json)


def range_days(store: Store, firm_id: str, start: date | None, end: date | None, as_of: date | None) -> list[tuple[date, Day | None]]:
    """The range's rows, latest first: each filed day, and each business day from the firm's first filing to
    the as-of day (or `end`, the earlier) without one. Only the range's version heads are read (a year's,
    by default, of a firm's ten), and the firm's first and latest End Dates."""
    first, latest = store.first_end_date(firm_id), store.latest_end_date(firm_id)
    if first is None or latest is None:
        return []
    filed = {d.end_date: d for d in filed_days(store, firm_id, start, end)}
    last = max(latest, as_of or latest)
    lo, hi = max(first, start or first), min(last, end or last)
    missing = [day for day in business_days(lo, hi) if day not in filed] if lo <= hi else []
    rows: list[tuple[date, Day | None]] = [*filed.items(), *((day, None) for day in missing)]
    return sorted(rows, key=lambda r: r[0], reverse=True)


def pages_of(total: int) -> int:
    return max(1, -(-total // PAGE_DAYS))


def history_page(store: Store, firm_id: str, rows: list[tuple[date, Day | None]], page: int | None) -> HistoryPage:
    """The rows of page `page` (1 is the latest; past the last page, the last) with their figures."""
    pages = pages_of(len(rows))
    chosen = min(max(page or 1, 1), pages)
    shown = figured(store, firm_id, rows[(chosen - 1) * PAGE_DAYS : chosen * PAGE_DAYS])
    return HistoryPage(shown, chosen, pages, len(rows), shown_columns(shown))


def figured(store: Store, firm_id: str, rows: list[tuple[date, Day | None]]) -> list[HistoryRow]:
    """Rows with each filed day's figures per statement; the change is from the filed day before it, which
    may lie before the rows (it is read too)."""
    filed = [day for _, day in rows if day is not None]
    if not filed:
        return [HistoryRow(when, None, {}) for when, _ in rows]
    before = _filed_before(store, firm_id, filed[-1].end_date)
    ordered = [*filed, *([before] if before is not None else [])]
    wanted = [d.record for d in ordered]
    content = dict(zip((v.id for v in wanted), store.contents(wanted, STANDING_CODES), strict=True))
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


def _filed_before(store: Store, firm_id: str, day: date) -> Day | None:
    """The firm's latest filed day before `day`, with its versions (None if `day` is its first)."""
    earlier = store.latest_end_date(firm_id, before=day)
    return None if earlier is None else filed_days(store, firm_id, earlier, earlier)[0]


def shown_columns(rows: list[HistoryRow]) -> list[StatementColumn]:
    """The statements any row carries, segregation first as on the firms list (a firm without swaps gets no swaps columns)."""
    present = {sid for row in rows for sid in row.statements}
    return [c for c in firms_statement_columns() if c.id in present]


def value(row: HistoryRow, statement: str, part: str) -> Decimal | None:
    figures = row.statements.get(statement)
    return figures.value(part) if figures is not None else None


# -- kept in the store (store/answers.py): a page of a firm's history as JSON, and back ----------------------
# A version's dates and time are ISO 8601; a row's figures as a firm's status keeps them (watch.status).


def page_to_json(found: HistoryPage) -> str:
    rows = [
        {
            "end_date": r.end_date.isoformat(),
            "day": None if r.day is None else _day_data(r.day),
            "statements": {sid: figures_data(f) for sid, f in r.statements.items()},
        }
        for r in found.rows
    ]
    return json.dumps({"rows": rows, "page": found.page, "pages": found.pages, "total": found.total})


def page_from_json(text: str) -> HistoryPage:
    data = json.loads(text)
    rows = [
        HistoryRow(
            date.fromisoformat(r["end_date"]),
            None if r["day"] is None else _day_of(r["day"]),
            {sid: figures_of(f) for sid, f in r["statements"].items()},
        )
        for r in data["rows"]
    ]
    return HistoryPage(rows, data["page"], data["pages"], data["total"], shown_columns(rows))


def _day_data(day: Day) -> list[list[Any]]:
    return [
        [
            v.id,
            v.firm_id,
            v.firm_name,
            v.end_date.isoformat(),
            v.status,
            v.form,
            day_text(v.submit_date),
            v.version,
            v.is_record,
            v.content_hash,
            v.stored_at.isoformat(),
            v.arrival,
        ]
        for v in day.versions
    ]


def _day_of(data: list[list[Any]]) -> Day:
    versions = [
        FilingVersion(
            id=v[0],
            firm_id=v[1],
            firm_name=v[2],
            end_date=date.fromisoformat(v[3]),
            status=v[4],
            form=v[5],
            submit_date=day_of(v[6]),
            version=v[7],
            is_record=v[8],
            content_hash=v[9],
            stored_at=datetime.fromisoformat(v[10]),
            arrival=v[11],
        )
        for v in data
    ]
    return Day(versions[0].end_date, versions)
