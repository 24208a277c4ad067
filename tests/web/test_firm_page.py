"""The firm page's table: every business day a row, 60 a page, NOT FILED and LATE marks, the day's change and the
excess against the target; the table and the charts over the same range (in process, and in a browser).

Over a store of its own: five months of a firm's filings with a missing day, two late INITIALs, a deficiency
and a shortfall against the target, and another firm filing two business days after it stopped (so the as-of
day is later than its last filing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from dailyseg.calendar import business_days, is_late
from dailyseg.catalogue import CATALOGUE
from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, daily_filing, series
from dailyseg.web import Settings, create_app
from tests.web.html_tables import Row, table_rows
from tests.web.support import Console, Server, start_server, stop_server

FIRM = "Paging Futures LLC"
FIRM_ID = "paging-futures"
FIRST, LAST, AS_OF = date(2024, 1, 2), date(2024, 5, 31), date(2024, 6, 4)
MISSING = date(2024, 5, 7)
LATE_DAYS = (date(2024, 2, 1), date(2024, 5, 9))
FAULTS = Faults(
    missing_day=(MISSING,),
    late=LATE_DAYS,
    deficiency=((date(2024, 5, 14), "segregation"),),
    below_target=((date(2024, 5, 15), "secured"),),
    amended=(date(2024, 3, 14), date(2024, 2, 1)),  # the first late one amended: the replaced INITIAL was late
)
SEGREGATION = CATALOGUE.statement_by_id["segregation"]


def paging(store: Store) -> None:
    store.ingest_filings(list(series(FIRM, FIRST, LAST, seed=3, faults=FAULTS)), source="paging")
    for day in business_days(LAST, AS_OF):
        store.ingest_filing(daily_filing("Other Futures LLC", day, requirement=Decimal(1000), funds=Decimal(2000)), source=f"other {day}")


@pytest.fixture(scope="module")
def paging_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('paging') / 'store.sqlite'}"
    with Store.open(url) as store:
        paging(store)
    return url


@pytest.fixture(scope="module")
def web(paging_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=paging_url))) as client:
        yield client


def rows_of(web: TestClient, **params: str) -> tuple[list[Row], str]:
    got = web.get(f"/firms/{FIRM_ID}", params=params)
    assert got.status_code == 200, got.text
    return table_rows(got.text, "filings"), got.text


def dates(rows: list[Row]) -> list[date]:
    return [date.fromisoformat(r.attrs["data-date"]) for r in rows]


def every_row_latest_first() -> list[date]:
    """Each business day from the firm's first filing to the as-of day (the holidays are no rows)."""
    return sorted(business_days(FIRST, AS_OF), reverse=True)


def test_sixty_business_days_a_page_latest_first_with_the_range_in_the_links(web: TestClient) -> None:
    expected = every_row_latest_first()
    first, html = rows_of(web)
    assert dates(first) == expected[:60]
    assert f'data-rows="{len(expected)}"' in html and "page 1 of 2" in html
    older = re.findall(r'href="(/firms/paging-futures\?[^"]*)" rel="next"', html)
    assert older and older[0].replace("&amp;", "&") == "/firms/paging-futures?from=2023-06-05&to=2024-06-04&page=2"
    second, html = rows_of(web, page="2")
    assert dates(second) == expected[60:] and 'rel="prev"' in html and 'rel="next"' not in html
    assert dates(rows_of(web, page="9")[0]) == expected[60:]  # past the last page: the last
    assert web.get(f"/firms/{FIRM_ID}", params={"page": "0"}).status_code == 422
    assert date(2024, 3, 29) not in expected and date(2024, 5, 27) not in expected  # Good Friday, Memorial Day


def test_business_days_without_a_filing_are_rows_marked_not_filed(web: TestClient) -> None:
    rows = rows_of(web)[0] + rows_of(web, page="2")[0]
    not_filed = {date.fromisoformat(r.attrs["data-date"]) for r in rows if r.attrs.get("class") == "not-filed"}
    assert not_filed == {MISSING, date(2024, 6, 3), AS_OF}  # the missing day, and the two after it stopped
    for row in rows:
        filed = row.attrs.get("class") != "not-filed"
        assert ("NOT FILED" in row.cells[1].text) is not filed
        assert bool(row.cells[0].links) is filed  # a filed day links to its filing of record


def test_late_filings_are_marked_late_as_calendar_is_late_says(paging_url: str, web: TestClient) -> None:
    rows = rows_of(web)[0] + rows_of(web, page="2")[0]
    late = {date.fromisoformat(r.attrs["data-date"]) for r in rows if "LATE" in r.cells[1].text}
    with Store.open(paging_url) as store:
        expected = {
            v.end_date
            for v in store.filings(FIRM_ID)
            if v.status == "INITIAL" and v.submit_date is not None and is_late(v.end_date, v.submit_date)
        }
    assert late == expected == set(LATE_DAYS)
    marks = {r.attrs["data-date"]: r.cells[1].text for r in rows}
    assert marks["2024-05-14"].startswith("ALERT deficiency") and marks["2024-05-15"].startswith("WARN below target")
    assert marks["2024-03-14"] == "NOTE amended" and marks["2024-02-01"] == "LATE NOTE amended" and marks["2024-05-13"] == "OK"


def test_day_change_and_excess_versus_target_are_the_filings_own_figures(paging_url: str, web: TestClient) -> None:
    rows = rows_of(web, **{"from": "2024-05-01", "to": "2024-05-31"})[0]
    assert dates(rows) == sorted(business_days(date(2024, 5, 1), date(2024, 5, 31)), reverse=True)
    with Store.open(paging_url) as store:
        records = {v.end_date: f for v, f in store.record_filings(FIRM_ID, date(2024, 4, 1), LAST)}
    filed = sorted(records)
    for row in rows:
        day = date.fromisoformat(row.attrs["data-date"])
        cells = {(c.attrs["data-statement"], c.attrs["data-part"]): c.attrs["data-value"] for c in row.cells if "data-part" in c.attrs}
        if day not in records:
            assert set(cells.values()) == {""}
            continue
        filing = records[day]
        prior = records[filed[filed.index(day) - 1]]  # the prior filed day: across the missing day, the one before it
        for s in CATALOGUE.statements:
            assert Decimal(cells[(s.id, "excess")]) == filing[s.excess]
            assert Decimal(cells[(s.id, "excess_change")]) == filing[s.excess] - prior[s.excess]
            assert Decimal(cells[(s.id, "over_target")]) == filing[s.key_refs["excess_over_target"]]
    may_8 = next(r for r in rows if r.attrs["data-date"] == "2024-05-08")
    change = next(c for c in may_8.cells if c.attrs.get("data-part") == "excess_change" and c.attrs["data-statement"] == "segregation")
    excess = SEGREGATION.excess
    assert Decimal(change.attrs["data-value"]) == records[date(2024, 5, 8)][excess] - records[date(2024, 5, 6)][excess]


def test_a_range_within_one_page_has_no_pager_links(web: TestClient) -> None:
    _, html = rows_of(web, **{"from": "2024-05-01", "to": "2024-05-31"})
    assert 'rel="next"' not in html and 'rel="prev"' not in html and "page 1 of 1" in html
    assert 'value="2024-05-01"' in html and 'value="2024-05-31"' in html  # the charts' range inputs
    assert "★" not in html and "✔" not in html


@pytest.fixture(scope="module")
def paging_server(tmp_path_factory: pytest.TempPathFactory, paging_url: str) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("firm-page-server"), paging_url)
    yield running
    stop_server(running)


@pytest.mark.slow
@pytest.mark.parametrize("width", [1440, 390])
def test_the_chart_shows_the_tables_range_without_overflow(page: Page, console: Console, paging_server: Server, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(paging_server.url + f"/firms/{FIRM_ID}?from=2024-04-01&to=2024-05-31")
    expect(page.locator("figure.chart").first).to_be_visible()
    shown = page.evaluate(
        "['min', 'max'].map(k => new Date(document.querySelector('figure.chart').uplot.scales.x[k] * 1000).toISOString().slice(0, 10))"
    )
    table = page.eval_on_selector_all("#filings tbody tr", "rows => rows.map(r => r.dataset.date)")
    assert shown == ["2024-04-01", "2024-05-31"] and (table[-1], table[0]) == ("2024-04-01", "2024-05-31")
    widths = page.evaluate("({doc: document.documentElement.scrollWidth, view: window.innerWidth})")
    assert widths["doc"] <= widths["view"], widths
    expect(page.locator("#filings tr[data-date='2024-05-07'] .mark")).to_have_text("NOT FILED")
    assert console.errors == []


def test_the_days_table_kept_for_the_firm_changes_with_its_next_filing_and_the_as_of_day(tmp_path: Path) -> None:
    """The rendered table is kept against the firm's revision and the as-of day: an amendment of the firm's
    latest day shows at once, and so does another firm's later filing (a NOT FILED row for this one)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    days = business_days(date(2024, 3, 1), date(2024, 3, 8))
    with Store.open(url) as store, TestClient(create_app(Settings(db_url=url))) as client:
        store.ingest_filings([daily_filing(FIRM, d, requirement=Decimal(1000), funds=Decimal(3000)) for d in days], source="days")
        first = table_rows(client.get(f"/firms/{FIRM_ID}").text, "filings")
        assert first[0].attrs["data-date"] == "2024-03-08" and "v1 initial (of record)" in first[0].cells[-1].text
        amended = daily_filing(FIRM, days[-1], requirement=Decimal(1000), funds=Decimal(2500), status="AMENDED")
        store.ingest_filing(amended, source="amended")
        again = table_rows(client.get(f"/firms/{FIRM_ID}").text, "filings")
        assert "v2 amended (of record)" in again[0].cells[-1].text
        assert again != first
        store.ingest_filing(daily_filing("Other Futures LLC", date(2024, 3, 11), requirement=Decimal(1), funds=Decimal(2)), source="other")
        later = table_rows(client.get(f"/firms/{FIRM_ID}").text, "filings")
        assert later[0].attrs == {"data-date": "2024-03-11", "class": "not-filed"}
