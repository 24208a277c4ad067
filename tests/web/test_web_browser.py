"""The pages in real headless Chromium against `dailyseg serve`: no console error, flows work, screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.support import ALPHA, AMENDED_DAY, MARKUP_FIRM, SAMPLE, WRITE_TOKEN, Console, Server, screenshot


def test_upload_flow_validates_and_shows_the_filing(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/upload")
    expect(page.get_by_role("heading", name="Upload a filing")).to_be_visible()
    screenshot(page, "upload")
    page.set_input_files("#file", str(SAMPLE))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.locator(".verdict")).to_contain_text("Citigroup Global Markets Inc. 2013-07-25 INITIAL: valid")
    expect(page.locator("#line-7190")).to_contain_text("371,003,045")
    screenshot(page, "upload-result")
    assert console.errors == []


def test_upload_of_an_unreadable_document_says_why(page: Page, console: Console, server: Server, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing to see\n")
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(junk))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.locator(".verdict.bad")).to_contain_text("No filing could be read")
    expect(page.locator(".problems")).to_contain_text("junk.txt:1: no Daily Segregation statement found")
    assert console.errors == []


def test_upload_past_the_limit_gets_a_clear_page(page: Page, console: Console, server: Server, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 300_000)
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(big))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.get_by_role("alert")).to_contain_text("upload too large: a document may hold at most 200,000 bytes")
    assert console.errors == ["Failed to load resource: the server responded with a status of 413 (Request Entity Too Large)"]


def test_keyboard_reaches_the_skip_link_and_the_form(page: Page, server: Server) -> None:
    page.goto(server.url + "/upload")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "file":
            break
    assert page.evaluate("document.activeElement.id") == "file"


def test_firms_page_lists_sorts_and_searches(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/")
    rows = page.locator("#firms tbody tr")
    expect(rows).to_have_count(3)
    beta = rows.filter(has_text="Clearing")
    expect(beta.locator("th")).to_have_text(MARKUP_FIRM)
    expect(beta).to_contain_text("ALERT deficiency")
    expect(beta).to_contain_text("(200)")
    # Worst first by default: the deficiency leads, the firm that stopped filing follows, the clean one is last.
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Status")
    expect(rows.nth(0).locator("th")).to_have_text(MARKUP_FIRM)
    expect(rows.nth(1)).to_contain_text("not filing")
    expect(rows.nth(2)).to_contain_text("OK ok")
    page.get_by_role("button", name="Latest").click()
    expect(rows.first.locator("th")).to_have_text("Citigroup Global Markets Inc.")
    page.get_by_role("button", name="Latest").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    page.get_by_label("Search firms").fill("alpha")
    expect(page.locator("#firms tbody tr:visible")).to_have_count(1)
    expect(page.locator("[data-count]")).to_have_text("1 firm")
    page.get_by_label("Search firms").fill("")
    page.get_by_role("button", name="Status").click()  # back to worst first, by rank (not by the marks' text)
    expect(rows.nth(0).locator("th")).to_have_text(MARKUP_FIRM)
    expect(rows.nth(2)).to_contain_text("OK ok")
    screenshot(page, "firms")
    assert page.evaluate("window.__xss === undefined")
    assert console.errors == []


def test_firm_page_draws_its_charts_and_lists_versions(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/firms/alpha-futures")
    expect(page.get_by_role("heading", name=ALPHA)).to_be_visible()
    charts = page.locator("figure.chart canvas")
    expect(charts).to_have_count(3)
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.chart canvas')).map((canvas) => {
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
            return inked;
        })"""
    )
    assert all(count > 1000 for count in drawn), drawn
    expect(page.locator("figure.chart .u-legend").first).to_contain_text("Excess [")
    page.get_by_role("button", name="Last year").click()
    page.fill("#range-from", "2024-02-01")
    page.fill("#range-to", "2024-02-29")
    page.get_by_role("button", name="Zoom", exact=True).click()
    day = AMENDED_DAY.isoformat()
    row = page.locator("#filings tbody tr", has=page.get_by_role("link", name=day, exact=True))
    expect(row).to_contain_text("v1")
    expect(row).to_contain_text("v2")
    expect(page.locator("#timeline svg a")).not_to_have_count(0)
    expect(page.locator("#timeline .findings-list")).to_contain_text("amended")
    screenshot(page, "firm")
    assert console.errors == []


def test_filing_page_shows_the_form_differences_and_downloads(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/firms/alpha-futures")
    page.get_by_role("link", name=AMENDED_DAY.isoformat(), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ALPHA}: {AMENDED_DAY.isoformat()}")
    expect(page.locator(".facts")).to_contain_text("the filing of record")
    expect(page.locator("details.diff summary").first).to_contain_text("Change from the previous business day's filing, 2024-03-13")
    expect(page.locator("details.diff summary").nth(1)).to_contain_text("Change from version 1 (initial) of the same day")
    expect(page.locator("#line-7190")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    assert download.value.suggested_filename == f"daily-seg-alpha-futures-{AMENDED_DAY.isoformat()}-v2.json"
    screenshot(page, "filing")
    assert console.errors == []


def test_upload_and_store_with_the_token(page: Page, console: Console, server: Server, tmp_path: Path) -> None:
    document = tmp_path / "citi-amended.txt"
    document.write_bytes(SAMPLE.read_bytes().replace(b"**INITIAL**", b"**AMENDED**"))
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(document))
    page.locator("details.store summary").click()
    page.fill("#token", "wrong")
    page.get_by_role("button", name="Validate and store").click()
    expect(page.get_by_role("alert")).to_have_text("the write token is not valid")
    page.go_back()
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(document))
    page.locator("details.store summary").click()
    page.fill("#token", WRITE_TOKEN)
    page.get_by_role("button", name="Validate and store").click()
    expect(page.locator("ul.stored")).to_contain_text("amended")
    page.locator("ul.stored a").click()
    expect(page.locator(".facts")).to_contain_text("2 (amended)")
    assert console.errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]


def test_compute_page_by_keyboard(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/compute")
    page.get_by_label("Books").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#lines")).to_contain_text("7190", timeout=90_000)  # the first computation warms the engine
    expect(page.locator("#line-7190")).to_contain_text("371,003,045")
    screenshot(page, "compute")
    page.get_by_role("link", name="explain 7010").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Line 7010")
    expect(page.locator("body")).to_contain_text("Largest contributors")
    screenshot(page, "explain")
    assert console.errors == []
