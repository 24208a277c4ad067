"""publish's page in Chromium on a phone (390x844) and a desktop (1440x900): the page never scrolls sideways
(its tables scroll inside their own boxes), the chart fits, and nothing is logged as an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, ViewportSize

from dailyseg.cli import main
from tests.watch.conftest import FIRM
from tests.web.support import Console

SIZES: list[ViewportSize] = [{"width": 390, "height": 844}, {"width": 1440, "height": 900}]


@pytest.fixture(scope="module")
def published(year_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("published") / "index.html"
    result = CliRunner().invoke(main, ["publish", FIRM, "--db", year_url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_page_fits_the_screen(page: Page, published: Path, size: ViewportSize) -> None:
    console = Console(page)
    page.set_viewport_size(size)
    page.goto(published.as_uri())
    widths = page.evaluate(
        """() => ({
            viewport: document.documentElement.clientWidth,
            document: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            chart: document.querySelector('.chart svg').getBoundingClientRect().right,
            boxes: [...document.querySelectorAll('.scroll')].map(b => b.getBoundingClientRect().right),
            tables: [...document.querySelectorAll('table.daily')].map(t => t.scrollWidth),
        })"""
    )
    viewport = widths["viewport"]
    assert widths["document"] <= viewport and widths["body"] <= viewport, widths
    assert widths["chart"] <= viewport and max(widths["boxes"]) <= viewport, widths
    assert len(widths["tables"]) == 3
    # The running heading a printed page repeats is for paper only.
    assert not page.locator("tr.running").first.is_visible()
    assert page.get_by_role("heading", name="Segregation Statement").is_visible()
    deficiency = page.locator("table.daily tr.deficiency")
    assert deficiency.count() == 1 and "Deficiency" in deficiency.inner_text()
    if size["width"] < 500:
        # The daily table is wider than a phone: it scrolls in its box, reachable by keyboard (tabindex).
        box = page.locator(".scroll:has(table.daily)").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth") and box.get_attribute("tabindex") == "0"
    assert console.errors == []
