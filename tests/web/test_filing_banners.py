"""The filing page's top: event banners (statement, amount, day of the run, the registry's notice), the
superseded banner, previous/next business day links, the findings summary, and the diffs' order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from dailyseg.checks import REGISTRY
from dailyseg.money import format_amount
from dailyseg.store import FilingVersion, Store
from dailyseg.store.synthetic import Faults, series
from dailyseg.web import Settings, create_app
from dailyseg.web.filing_view import ordinal
from tests.web.support import Console, Server, start_server, stop_server

FIRM = "Acme Futures LLC"
DEFICIENT = (date(2024, 12, 26), date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31))
AMENDED = date(2024, 12, 31)
MISSING = date(2025, 1, 6)
BELOW_TARGET = date(2025, 1, 8)
SPAN = (date(2024, 12, 2), date(2025, 1, 14))


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('banners') / 'store.sqlite'}"
    faults = Faults(
        deficiency=tuple((day, "segregation") for day in DEFICIENT),
        below_target=((BELOW_TARGET, "segregation"),),
        amended=(AMENDED,),
        missing_day=(MISSING,),
    )
    with Store.open(url) as store:
        store.ingest_filings(list(series(FIRM, *SPAN, faults=faults)), source="banners")
    return url


@pytest.fixture
def web(store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=store_url))) as client:
        yield client


def _versions(url: str, day: date) -> list[FilingVersion]:
    with Store.open(url) as store:
        return store.versions("acme-futures", day)


def _excess(url: str, version: FilingVersion) -> str:
    with Store.open(url) as store:
        return format_amount(store.get(version.id)[1][7190], parentheses=True)


def _top(html: str) -> str:
    """The page above the form, as text."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('<div id="form">')[0])).replace("&#39;", "'")


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def test_a_deficiency_gets_a_banner_with_its_day_of_the_run_and_notice(web: TestClient, store_url: str) -> None:
    record = _versions(store_url, AMENDED)[-1]
    top = _top(web.get(f"/filings/{record.id}").text)
    rule = REGISTRY["deficiency"]
    expected = f"Segregation deficiency {_excess(store_url, record)}, 4th business day, since 2024-12-26; {rule.citation} notice"
    assert expected in top
    assert f"Notice: {rule.notice}" in top
    first = _versions(store_url, DEFICIENT[0])[-1]
    assert "Segregation deficiency " + _excess(store_url, first) + ", 1st business day, since 2024-12-26" in _top(
        web.get(f"/filings/{first.id}").text
    )


def test_below_target_gets_its_own_notice(web: TestClient, store_url: str) -> None:
    version = _versions(store_url, BELOW_TARGET)[-1]
    html = web.get(f"/filings/{version.id}").text
    rule = REGISTRY["below-target"]
    top = _top(html)
    assert re.search(r"Segregation below target \(\d[\d,]*\), 1st business day, since 2025-01-08; 17 CFR 1\.12\(j\) notice", top)
    assert f"Notice: {rule.notice}" in top and REGISTRY["deficiency"].notice not in top
    assert 'data-rule="below-target"' in html


def test_a_clean_day_has_no_banner_and_a_summary_of_nothing(web: TestClient, store_url: str) -> None:
    version = _versions(store_url, date(2024, 12, 10))[-1]
    html = web.get(f"/filings/{version.id}").text
    assert 'class="banner' not in html
    assert "Findings: 0 events, 0 errors, 0 warnings" in _top(html)


def test_the_findings_summary_counts_and_links_each_finding(web: TestClient, store_url: str) -> None:
    version = _versions(store_url, DEFICIENT[1])[-1]
    html = web.get(f"/filings/{version.id}").text
    assert "Findings: 1 event, 0 errors, 0 warnings" in _top(html)
    summary = html.split('<section class="summary"')[1].split("</section>")[0]
    assert '<a href="#line-7190"><code>deficiency</code>' in summary
    assert 'id="line-7190"' in html


def test_previous_and_next_business_days_link_or_say_missing(web: TestClient, store_url: str) -> None:
    before, after = _versions(store_url, date(2025, 1, 2))[-1], _versions(store_url, date(2025, 1, 7))[-1]
    version = _versions(store_url, date(2025, 1, 3))[-1]
    html = web.get(f"/filings/{version.id}").text
    assert f'<a href="/filings/{before.id}" rel="prev">Previous business day: 2025-01-02</a>' in html
    assert "Next business day: 2025-01-06 missing (no filing)" in _top(html)
    html = web.get(f"/filings/{after.id}").text
    assert "Previous business day: 2025-01-06 missing (no filing)" in _top(html)
    # Over the new year's holiday: the next business day after 2024-12-31 is 2025-01-02, the filing of record.
    record = _versions(store_url, AMENDED)[-1]
    assert f'href="/filings/{before.id}" rel="next">Next business day: 2025-01-02' in web.get(f"/filings/{record.id}").text


def test_an_amended_day_opens_the_day_over_day_diff_and_folds_the_amendment(web: TestClient, store_url: str) -> None:
    amended = _versions(store_url, AMENDED)[-1]
    html = web.get(f"/filings/{amended.id}").text
    diffs = re.findall(r'<details class="diff ([a-z-]+)"( open)?>\s*<summary[^>]*>([^<]*)', html)
    assert [(kind, bool(opened)) for kind, opened, _ in diffs] == [("day-over-day", True), ("amendment", False)]
    assert diffs[0][2].startswith("Change from the previous business day") and "version 1" in diffs[1][2]
    assert "Superseded" not in _top(html)


def test_a_superseded_version_says_so_and_links_the_filing_of_record(web: TestClient, store_url: str) -> None:
    initial, amended = _versions(store_url, AMENDED)
    assert not initial.is_record and amended.is_record
    html = web.get(f"/filings/{initial.id}").text
    banner = html.split('<p class="banner superseded"')[1].split("</p>")[0]
    assert "not the filing of record" in banner and f'href="/filings/{amended.id}"' in banner


@pytest.fixture(scope="module")
def banner_server(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("banner-server")), store_url)
    yield running
    stop_server(running)


def test_the_filing_page_top_in_the_browser(page: Page, console: Console, banner_server: Server, store_url: str) -> None:
    initial, amended = _versions(store_url, AMENDED)
    page.goto(f"{banner_server.url}/filings/{initial.id}")
    expect(page.locator(".banner.event").first).to_contain_text("Segregation deficiency (")
    expect(page.locator(".banner.event").first).to_contain_text("4th business day, since 2024-12-26; 17 CFR 1.12(h) notice")
    page.get_by_role("link", name=re.compile("See the filing of record")).click()
    expect(page).to_have_url(f"{banner_server.url}/filings/{amended.id}")
    expect(page.locator("details.diff.day-over-day")).to_have_attribute("open", "")
    expect(page.locator("details.diff.amendment table")).not_to_be_visible()
    page.get_by_role("link", name="Next business day: 2025-01-02").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRM}: 2025-01-02")
    page.get_by_role("link", name="Previous business day: 2024-12-31").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRM}: 2024-12-31")
    page.locator("section.summary a").first.click()
    expect(page).to_have_url(re.compile("#line-7190$"))
    assert console.errors == []
