"""The firm page's table of days from its range's filings only, against the same rows made from every filed day.

The table reads the version heads of its range, the firm's first and latest End Dates and the one filed day
before a page, not the firm's whole history. Whatever the range, as-of day and page, its rows (filed days,
days not filed, each row's versions) and each row's day change (from the filed day before it, wherever that
lies) are the ones every filed day of the firm gives. The firm has gaps, an amended day, a day filed on a
Saturday and a second name joined to it, and shares the store with another firm.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.calendar import business_days
from dailyseg.filing import Filing
from dailyseg.standing import standing
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.web.history_view import PAGE_DAYS, filed_days, history_page, range_days
from dailyseg.web.views import Day, days_of

FIRM, OTHER_NAME, NEIGHBOUR = "Gap Futures LLC", "Gap Futures Clearing LLC", "Neighbour Futures LLC"
FIRST, LAST = date(2024, 1, 2), date(2024, 7, 31)
AMENDED, SATURDAY = date(2024, 3, 14), date(2024, 4, 6)


def _filed(days: list[date]) -> list[date]:
    """Every business day but a seventh of them and a run of five (gaps of one day and of a week)."""
    return [d for i, d in enumerate(days) if i % 7 != 3 and not date(2024, 5, 6) <= d <= date(2024, 5, 10)]


def _filing(name: str, day: date, n: int, status: str = "INITIAL") -> Filing:
    funds = Decimal(1_200_000 + 997 * n)
    return daily_filing(name, day, requirement=Decimal(1_000_000), funds=funds, target=Decimal(50_000), status=status)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path_factory.mktemp('rows') / 'store.sqlite'}") as store:
        days = _filed(business_days(FIRST, LAST))
        early, late = [d for d in days if d < SATURDAY], [d for d in days if d > SATURDAY]
        store.ingest_filings([_filing(FIRM, d, n) for n, d in enumerate(early)], source="early")
        store.ingest_filings([_filing(NEIGHBOUR, d, n) for n, d in enumerate(days)], source="neighbour")
        store.alias(OTHER_NAME, store.require(FIRM))
        store.ingest_filing(_filing(OTHER_NAME, SATURDAY, 5), source="saturday")
        store.ingest_filings([_filing(OTHER_NAME, d, n) for n, d in enumerate(late)], source="late")
        store.ingest_filing(_filing(FIRM, AMENDED, -300, status="AMENDED"), source="amended")
        yield store


def _expected_rows(every: list[Day], start: date | None, end: date | None, as_of: date | None) -> list[tuple[date, Day | None]]:
    """The rows from every filed day of the firm: the range's filed days, and each business day from the first
    filing to the later of the latest filing and the as-of day, within the range, without one."""
    first, last = every[-1].end_date, max(every[0].end_date, as_of or every[0].end_date)
    lo, hi = max(first, start or first), min(last, end or last)
    filed = {d.end_date: d for d in every if (start is None or d.end_date >= start) and (end is None or d.end_date <= end)}
    missing = [(d, None) for d in business_days(lo, hi) if d not in filed] if lo <= hi else []
    return sorted([*filed.items(), *missing], key=lambda r: r[0], reverse=True)


_days = st.none() | st.dates(min_value=FIRST - timedelta(days=20), max_value=LAST + timedelta(days=20))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_days, end=_days, as_of=_days, page=st.integers(1, 4))
def test_the_rows_of_a_range_are_the_ones_every_filed_day_gives(
    store: Store, start: date | None, end: date | None, as_of: date | None, page: int
) -> None:
    firm = store.require(FIRM)
    every = days_of(store.filings(firm))
    rows = range_days(store, firm, start, end, as_of)
    assert rows == _expected_rows(every, start, end, as_of)
    found = history_page(store, firm, rows, page)
    assert [r.end_date for r in found.rows] == [when for when, _ in rows][(found.page - 1) * PAGE_DAYS : found.page * PAGE_DAYS]
    for row in found.rows:
        if row.day is None:
            assert row.statements == {}
            continue
        earlier = next((d for d in every if d.end_date < row.end_date), None)
        now = store.contents([row.day.record])[0]
        was = store.contents([earlier.record])[0] if earlier is not None else None
        for sid, figures in row.statements.items():
            assert figures.standing == standing(now, sid)
            change = None if was is None else standing(now, sid).excess - standing(was, sid).excess  # type: ignore[operator]
            assert figures.excess_change == change


def test_a_range_reads_the_days_of_both_names_and_the_amended_versions(store: Store) -> None:
    firm = store.require(FIRM)
    days = {d.end_date: d for d in filed_days(store, firm, date(2024, 3, 1), date(2024, 4, 30))}
    assert SATURDAY in days and days[SATURDAY].record.firm_name == OTHER_NAME
    assert [v.status for v in days[AMENDED].versions] == ["INITIAL", "AMENDED"]
    assert days[AMENDED].record.status == "AMENDED"
    filed = sorted({*_filed(business_days(FIRST, LAST)), SATURDAY})
    rows = dict(range_days(store, firm, date(2024, 5, 1), date(2024, 5, 17), None))
    not_filed = [d for d, day in rows.items() if day is None]
    assert not_filed == [d for d in reversed(business_days(date(2024, 5, 1), date(2024, 5, 17))) if d not in filed]
    assert {date(2024, 5, 6), date(2024, 5, 10)} <= set(not_filed)
    assert store.first_end_date(firm) == FIRST
    assert store.latest_end_date(firm, before=FIRST) is None
    for day in (date(2024, 5, 13), SATURDAY + timedelta(days=1), AMENDED, LAST + timedelta(days=1)):
        assert store.latest_end_date(firm, before=day) == max(d for d in filed if d < day)
