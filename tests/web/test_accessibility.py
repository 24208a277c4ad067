"""Every page of the application in a real browser, at a desktop and a phone size: axe-core finds no serious or
critical violation, the page body never scrolls sideways, and the console stays clean.

The pages are read from the app's router (tests/web/routes.py): every GET route that answers HTML, its
parameters filled from the seeded store, so a page added later is scanned without changing this test.
axe-core comes from the axe-playwright-python package (its `axe.min.js`), evaluated in each page: nothing
is fetched from the network.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize

from dailyseg.store import Store
from dailyseg.web import Settings, create_app
from tests.web.routes import good_values, routes_of
from tests.web.support import Console, Server

pytestmark = pytest.mark.slow  # every page twice in a browser, with a scan each: seconds

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
AXE = Path(str(resources.files("axe_playwright_python").joinpath("axe.min.js")))
BLOCKING = ("serious", "critical")
# Routes that answer something other than a page: the API (its reference at /api/docs is a page), files.
NOT_PAGES = ("/api/", "/static/")


def page_urls(server: Server) -> list[str]:
    """Every page's URL over the seeded store, with a request of each parameter it takes."""
    with Store.open(server.db_url) as store:
        values = good_values(store.filings("alpha-futures")[0].id)
    urls = []
    for route in routes_of(create_app(Settings(db_url=server.db_url))):
        if route.method != "GET" or (route.path.startswith(NOT_PAGES) and route.path != "/api/docs"):
            continue
        query = "&".join(f"{name}={values[name]}" for name in route.query_params if name in ("from", "to"))
        urls.append(route.url(values) + (f"?{query}" if query else ""))
    return urls


def problems_of(page: Page, url: str) -> list[str]:
    """What is wrong with one page at the page's current size (nothing when it is not HTML)."""
    if not page.request.get(url).headers.get("content-type", "").startswith("text/html"):
        return []  # a download (a filing as JSON or PDF, an export)
    console = Console(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = [f"console: {error}" for error in console.errors]
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        found.append(f"the page is {width[0]} px wide in a {width[1]} px window")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a script tag: the pages' CSP allows no inline script
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    for violation in violations:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            found.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} ({targets})")
    return found


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_every_page_passes_axe_and_fits_the_screen(page: Page, server: Server, size: ViewportSize) -> None:
    page.set_viewport_size(size)
    urls = page_urls(server)
    assert len(urls) >= 8, urls
    found = {url: problems for url in urls if (problems := problems_of(page, server.url + url))}
    assert found == {}, "\n".join(f"{url}: {p}" for url, problems in found.items() for p in problems)
