"""The overview: the day's board, totals across firms, shares and ranks, the events feed (in process and in a browser).

Over a store of its own (`industry`): eight firms filing the business days of 18-28 March 2024, one of each
kind the board tells apart: clean, deficient on the last day, under its target, late, stopped two days before
the end, a day missing in the middle, amended on the last day, and one whose name a spreadsheet would run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, ViewportSize, expect

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.web import Settings, create_app
from tests.store.added_up import added_up
from tests.web.html_tables import table_rows
from tests.web.support import Console, Server, screenshot, start_server, stop_server

LATEST = date(2024, 3, 28)
DAYS = business_days(date(2024, 3, 18), LATEST)
TARGET = Decimal(50_000)
CLEAN, DEFICIENT, UNDER, LATE, STOPPED, GAP, AMENDED, FORMULA = (
    "Able Clearing LLC",
    "Baker Futures Inc",
    "Charlie Markets LLC",
    "Delta Brokerage Corp",
    "Echo Commodities LLC",
    "Foxtrot Trading LLC",
    "Golf Capital LLC",
    '=HYPERLINK("http://x")&" Futures"',
)
FIRMS = (CLEAN, DEFICIENT, UNDER, LATE, STOPPED, GAP, AMENDED, FORMULA)
GAP_DAY = date(2024, 3, 26)
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])


def industry(store: Store) -> None:
    """The eight firms (requirements of different sizes, so each has its own rank)."""
    for i, name in enumerate(FIRMS):
        requirement = Decimal(1_000_000 * (i + 1) + 37 * i)
        for day in DAYS:
            if (name == STOPPED and day > date(2024, 3, 26)) or (name == GAP and day == GAP_DAY):
                continue
            funds, submit = requirement * Decimal("1.2"), None
            if day == LATEST and name == DEFICIENT:
                funds = requirement - 10_000
            if day == LATEST and name == UNDER:
                funds = requirement + TARGET - 30_000
            if day == LATEST and name == LATE:
                submit = date(2024, 4, 3)  # due 1 April (29 March is Good Friday)
            store.ingest_filing(daily_filing(name, day, requirement=requirement, funds=funds, target=TARGET, submit=submit), source=name)
        if name == AMENDED:
            amended = daily_filing(name, LATEST, requirement=requirement, funds=requirement * 2, target=TARGET, status="AMENDED")
            store.ingest_filing(amended, source=f"{name} amended")


@pytest.fixture(scope="module")
def industry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('industry') / 'store.sqlite'}"
    with Store.open(url) as store:
        industry(store)
    return url


@pytest.fixture(scope="module")
def web(industry_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=industry_url))) as client:
        yield client


@pytest.fixture(scope="module")
def answer(web: TestClient) -> dict[str, Any]:
    got = web.get("/api/overview")
    assert got.status_code == 200, got.text
    found: dict[str, Any] = got.json()
    return found


def firm_ids(web: TestClient) -> dict[str, str]:
    return {f["name"]: f["firm_id"] for f in web.get("/api/firms").json()}


def test_the_boards_groups_are_what_each_firms_status_says(web: TestClient, answer: dict[str, Any]) -> None:
    board = answer["board"]
    assert board["day"] == LATEST.isoformat() and answer["as_of"] == LATEST.isoformat()
    assert board["due_at"] == "2024-04-01T12:00:00-04:00" and board["overdue"] is True
    grouped = {group: {f["firm_id"] for f in firms} for group, firms in board["groups"].items()}
    assert board["counts"] == {group: len(firms) for group, firms in grouped.items()}
    expected: dict[str, set[str]] = {group: set() for group in grouped}
    for firm in web.get("/api/firms").json():
        on_day = {f["rule"] for f in firm["findings"] if f["end_date"] == LATEST.isoformat()}
        expected["filed" if firm["latest_end_date"] == LATEST.isoformat() else "not_filed"].add(firm["firm_id"])
        for group, rule in (("deficient", "deficiency"), ("under_target", "below-target"), ("late", "late-initial")):
            if rule in on_day:
                expected[group].add(firm["firm_id"])
    assert grouped == expected
    ids = firm_ids(web)
    assert grouped["deficient"] == {ids[DEFICIENT]} and grouped["under_target"] == {ids[UNDER]} and grouped["late"] == {ids[LATE]}
    assert grouped["not_filed"] == {ids[STOPPED]} and len(grouped["filed"]) == len(FIRMS) - 1
    assert board["counts"] == {"filed": 7, "not_filed": 1, "late": 1, "deficient": 1, "under_target": 1}


def test_the_board_links_each_firm_to_its_filing_of_the_day_else_its_latest(industry_url: str, answer: dict[str, Any]) -> None:
    with Store.open(industry_url) as store:
        for group, firms in answer["board"]["groups"].items():
            for firm in firms:
                version, _ = store.get(firm["filing_id"])
                assert version.firm_id == firm["firm_id"] and version.is_record
                assert version.end_date == (date(2024, 3, 26) if group == "not_filed" else LATEST)


def test_the_board_on_the_page_shows_the_same_groups(web: TestClient, answer: dict[str, Any]) -> None:
    page = web.get("/overview").text
    rows = table_rows(page, "board")
    for row in rows:
        group = row.attrs["data-group"]
        assert int(row.attrs["data-count"]) == int(row.cells[1].text) == answer["board"]["counts"][group]
        links = row.cells[2].links
        assert links == [f"/filings/{f['filing_id']}" for f in answer["board"]["groups"][group]]
    assert [row.attrs["data-group"] for row in rows] == list(answer["board"]["groups"])
    assert "ALERT" in page and "✔" not in page and "★" not in page


def test_an_as_of_day_moves_the_board(web: TestClient) -> None:
    board = web.get("/api/overview", params={"as_of": "2024-03-27"}).json()["board"]
    assert board["day"] == "2024-03-27"
    assert board["counts"]["deficient"] == 0 and board["counts"]["not_filed"] == 1  # the stopped firm's last day was the 26th


def test_totals_are_the_exact_sums_of_each_firms_filings_of_record(industry_url: str, answer: dict[str, Any]) -> None:
    totals = answer["totals"]
    assert totals["dates"] == [d.isoformat() for d in DAYS]
    expected: dict[tuple[str, str, str], Decimal] = {}
    filed: dict[str, int] = {}
    with Store.open(industry_url) as store:
        for firm_id in store.firm_ids():
            for version, filing in store.record_filings(firm_id):
                filed[version.end_date.isoformat()] = filed.get(version.end_date.isoformat(), 0) + 1
                for s in CATALOGUE.statements:
                    for part in ("requirement", "funds", "excess"):
                        key = (version.end_date.isoformat(), s.id, part)
                        expected[key] = expected.get(key, Decimal(0)) + filing[s.key_refs[part]]
    assert totals["firms"] == [filed[d] for d in totals["dates"]]
    assert list(totals["statements"]) == ["segregation", "secured", "swaps"]
    for sid, statement in totals["statements"].items():
        assert set(statement["series"]) == {"requirement", "funds", "excess"}
        for part, values in statement["series"].items():
            assert [Decimal(v) for v in values] == [expected[(d, sid, part)] for d in totals["dates"]], (sid, part)
    # The gap firm did not file on the 26th, the stopped firm not after it.
    assert totals["firms"][DAYS.index(GAP_DAY)] == 7 and totals["firms"][-1] == 7


def test_totals_on_the_page_and_in_the_chart_data_agree(web: TestClient, answer: dict[str, Any]) -> None:
    chart = web.get("/overview/totals.json").json()
    assert chart["dates"] == answer["totals"]["dates"] and chart["statements"] == answer["totals"]["statements"]
    rows = table_rows(web.get("/overview").text, "totals")
    for row in rows:
        sid = row.attrs["data-statement"]
        assert [Decimal(c.attrs["data-value"]) for c in row.cells[1:]] == [
            Decimal(chart["statements"][sid]["series"][p][-1]) for p in ("requirement", "funds", "excess")
        ]


def test_shares_rank_firms_by_requirement_and_add_up(answer: dict[str, Any]) -> None:
    for sid, listed in answer["shares"].items():
        requirements = [Decimal(s["requirement"]) for s in listed]
        assert requirements == sorted(requirements, reverse=True) and [s["rank"] for s in listed] == list(range(1, len(listed) + 1))
        total = Decimal(answer["share_totals"][sid])
        assert sum(requirements) == total
        for s in listed:
            assert Decimal(s["share"]) == (Decimal(s["requirement"]) * 100 / total).quantize(Decimal("0.01"))
        assert abs(sum((Decimal(s["share"]) for s in listed), Decimal(0)) - 100) <= Decimal("0.01") * len(listed)
        assert listed[0]["name"] == FORMULA  # the largest requirement: the last firm of the eight


def test_the_feed_is_every_event_of_the_last_days_newest_first_linking_to_its_filing(
    industry_url: str, web: TestClient, answer: dict[str, Any]
) -> None:
    feed = answer["feed"]
    dates = [e["event"]["end_date"] for e in feed]
    assert dates == sorted(dates, reverse=True) and dates[0] == LATEST.isoformat()
    assert all(e["event"]["question"] == "firm" for e in feed)
    ids = firm_ids(web)
    seen = {(e["event"]["firm_id"], e["event"]["rule"], e["event"]["end_date"]) for e in feed}
    assert (ids[DEFICIENT], "deficiency", "2024-03-28") in seen
    assert (ids[UNDER], "below-target", "2024-03-28") in seen
    assert (ids[LATE], "late-initial", "2024-03-28") in seen
    assert (ids[AMENDED], "amended", "2024-03-28") in seen
    assert (ids[GAP], "missing-day", GAP_DAY.isoformat()) in seen
    with Store.open(industry_url) as store:
        for e in feed:
            if e["filing_id"] is None:
                assert e["event"]["rule"] == "missing-day"
                continue
            version, _ = store.get(e["filing_id"])
            assert version.is_record and (version.firm_id, version.end_date.isoformat()) == (e["event"]["firm_id"], e["event"]["end_date"])
    # The page lists the same events in the same order, each dated link going to the filing (or the firm, for a missing day).
    rows = table_rows(web.get("/overview").text, "feed")
    assert [(r.attrs["data-firm"], r.attrs["data-rule"], r.attrs["data-date"]) for r in rows] == [
        (e["event"]["firm_id"], e["event"]["rule"], e["event"]["end_date"]) for e in feed
    ]
    for row, e in zip(rows, feed, strict=True):
        expected = f"/filings/{e['filing_id']}" if e["filing_id"] else f"/firms/{e['event']['firm_id']}"
        assert row.cells[0].links == [expected]


def test_days_chooses_the_feeds_length(web: TestClient) -> None:
    one = web.get("/api/overview", params={"days": 1}).json()
    assert one["days"] == 1 and {e["event"]["end_date"] for e in one["feed"]} == {LATEST.isoformat()}
    three = web.get("/api/overview", params={"days": 3}).json()["feed"]
    assert {e["event"]["end_date"] for e in three} <= {"2024-03-26", "2024-03-27", "2024-03-28"}
    assert any(e["event"]["rule"] == "missing-day" for e in three)
    assert web.get("/api/overview", params={"days": 0}).status_code == 422
    assert web.get("/api/overview", params={"days": 367}).status_code == 422
    assert "Events of the last 3 days" in web.get("/overview", params={"days": 3}).text


def test_the_api_documents_the_overview_and_writes_amounts_as_strings(web: TestClient, answer: dict[str, Any]) -> None:
    schema = web.get("/api/openapi.json").json()
    assert "/api/overview" in schema["paths"] and "/overview" not in schema["paths"]
    assert all(isinstance(s["requirement"], str) for listed in answer["shares"].values() for s in listed)
    assert all(isinstance(v, str) for st in answer["totals"]["statements"].values() for vs in st["series"].values() for v in vs)


def test_an_empty_store_has_an_overview_saying_so(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(db_url=f"sqlite:///{tmp_path / 'empty.sqlite'}"))) as client:
        assert "holds no filing yet" in client.get("/overview").text
        empty = client.get("/api/overview").json()
        assert empty["board"] is None and empty["feed"] == [] and empty["totals"]["dates"] == []


# -- in a browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def industry_server(tmp_path_factory: pytest.TempPathFactory, industry_url: str) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("overview-server"), industry_url)
    yield running
    stop_server(running)


@pytest.mark.slow
@SIZES
def test_the_overview_in_a_browser_draws_its_charts_without_overflow_or_console_error(
    page: Page, console: Console, industry_server: Server, size: ViewportSize
) -> None:
    page.set_viewport_size(size)
    page.goto(industry_server.url + "/overview")
    expect(page.locator("#charts-h")).to_be_visible()
    expect(page.locator("figure.chart")).to_have_count(3)
    expect(page.locator("#board tbody tr")).to_have_count(5)
    widths = page.evaluate("({doc: document.documentElement.scrollWidth, view: window.innerWidth})")
    assert widths["doc"] <= widths["view"], widths
    # The chart's range is the page's: the year to the board's day, clamped to the history stored.
    shown = page.evaluate(
        "['min', 'max'].map(k => new Date(document.querySelector('figure.chart').uplot.scales.x[k] * 1000).toISOString().slice(0, 10))"
    )
    assert shown == [DAYS[0].isoformat(), LATEST.isoformat()]
    if size is DESKTOP:
        screenshot(page, "overview")
    assert console.errors == []


def test_totals_after_one_firms_new_filing_are_the_stores_totals(industry_url: str, tmp_path: Path) -> None:
    """Totals are added up from figures kept per firm: after one firm amends its last day, the overview's
    totals move by exactly its change and equal the totals read afresh from every firm's filings of record."""
    from dailyseg.web.overview_view import TOTALLED, totals

    copy = tmp_path / "store.sqlite"
    copy.write_bytes(Path(industry_url.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{copy}"
    with TestClient(create_app(Settings(db_url=url))) as client, Store.open(url) as store:
        before = client.get("/api/overview").json()["totals"]
        requirement = Decimal(1_000_000)  # CLEAN's (firm 0), unchanged; its funds go up by 12,345.67
        store.ingest_filing(
            daily_filing(
                CLEAN,
                LATEST,
                requirement=requirement,
                funds=requirement * Decimal("1.2") + Decimal("12345.67"),
                target=TARGET,
                status="AMENDED",
            ),
            source="clean amended",
        )
        after = client.get("/api/overview").json()["totals"]
        aggregate = added_up((store.history_columns(firm_id, TOTALLED) for firm_id in store.firm_ids()), TOTALLED)
    funds = [Decimal(v) for v in after["statements"]["segregation"]["series"]["funds"]]
    assert funds[-1] - Decimal(before["statements"]["segregation"]["series"]["funds"][-1]) == Decimal("12345.67")
    assert funds[:-1] == [Decimal(v) for v in before["statements"]["segregation"]["series"]["funds"][:-1]]
    expected = totals(aggregate)
    assert after["firms"] == expected.firms
    for sid, parts in expected.sums.items():
        for part, values in parts.items():
            assert [Decimal(v) for v in after["statements"][sid]["series"][part]] == values, (sid, part)


def test_the_page_kept_until_the_store_changes_is_the_page_made_afresh(industry_url: str, tmp_path: Path) -> None:
    """The overview's body is rendered once per store revision: after a firm's new filing the page shows it,
    and is the very page a server that never saw the store before makes."""
    copy = tmp_path / "store.sqlite"
    copy.write_bytes(Path(industry_url.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{copy}"

    def tables(client: TestClient) -> dict[str, list[list[str]]]:
        html = client.get("/overview").text
        return {t: [[c.text for c in row.cells] for row in table_rows(html, t)] for t in ("totals", "feed")}

    with TestClient(create_app(Settings(db_url=url))) as client, Store.open(url) as store:
        before = tables(client)
        funds = Decimal(1_000_000) * Decimal("1.2") + Decimal("12345.67")
        amended = daily_filing(CLEAN, LATEST, requirement=Decimal(1_000_000), funds=funds, target=TARGET, status="AMENDED")
        store.ingest_filing(amended, source="clean amended")
        after = tables(client)
        with TestClient(create_app(Settings(db_url=url))) as fresh:
            assert after == tables(fresh)
    assert after != before
