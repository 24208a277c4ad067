"""The firms list in a real browser, at a desktop (1440x900) and a phone (390x844) size.

Over a store of its own: the seeded firms and a score more filed on the latest day (some in deficiency, some
below target, most fine, with excess cushions of every size), so that the first screen is full.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from dailyseg.checks import REGISTRY
from dailyseg.checks.registry import QUESTIONS, SEVERITY_ORDER
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from tests.web.support import MARKUP_FIRM, Console, Server, seed, start_server, stop_server

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
LATEST = date(2024, 3, 28)
# (requirement, funds, target): a deficiency, below target, and clean firms with cushions of 1 % to 90 %.
EXTRA = [
    *((Decimal(1_000_000), Decimal(1_000_000 - 1000 * (i + 1)), Decimal(10_000)) for i in range(3)),
    *((Decimal(1_000_000), Decimal(1_005_000 + 1000 * i), Decimal(50_000)) for i in range(3)),
    *((Decimal(2_000_000_000), Decimal(2_000_000_000 + 20_000_000 * (1 + 7 * i)), Decimal(10_000_000)) for i in range(14)),
]
RULE_POSITION = {rule_id: i for i, rule_id in enumerate(REGISTRY)}


def rule_rank(rule_id: str) -> tuple[int, int, int]:
    """The registry's rank of a rule's findings (events before defects, then severity, then the registry's order)."""
    rule = REGISTRY[rule_id]
    return (QUESTIONS.index(rule.question), SEVERITY_ORDER[rule.severity], RULE_POSITION[rule_id])


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("firms-list")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    with Store.open(url) as store:
        seed(store)
        for i, (requirement, funds, target) in enumerate(EXTRA):
            name = f"Firm {chr(ord('A') + i % 26)}{i:02d} Futures Clearing Corporation"
            store.ingest_filing(daily_filing(name, LATEST, requirement=requirement, funds=funds, target=target), source=f"extra-{i}")
    running = start_server(tmp, url)
    yield running
    stop_server(running)


def open_list(page: Page, server: Server, size: ViewportSize, path: str = "/") -> None:
    page.set_viewport_size(size)
    page.goto(server.url + path)
    expect(page.locator("#firms tbody tr").first).to_be_visible()


def statuses(page: Page) -> list[list[str]]:
    """Each row's status marks' rule ids, in the rows' order."""
    found: list[list[str]] = page.eval_on_selector_all(
        "#firms tbody tr", "rows => rows.map(r => Array.from(r.querySelectorAll('.mark[data-rule]'), m => m.dataset.rule))"
    )
    return found


def column(page: Page, statement: str, part: str) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        f"#firms tbody td[data-statement={statement}][data-part={part}]", "cells => cells.map(c => c.dataset.value)"
    )
    return found


def worst_keys(page: Page) -> list[tuple[int, int, int] | None]:
    return [min(map(rule_rank, rules)) if rules else None for rules in statuses(page)]


def no_page_overflow(page: Page) -> None:
    widths = page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth})")
    assert widths["doc"] <= widths["view"], widths
    assert widths["body"] <= widths["view"], widths


@SIZES
def test_no_horizontal_overflow_of_the_page(page: Page, console: Console, many: Server, size: ViewportSize) -> None:
    for path in ("/", "/?grid=full"):
        open_list(page, many, size, path)
        no_page_overflow(page)
    assert console.errors == []


@SIZES
def test_segregation_excess_of_every_firm_on_the_first_screen_is_visible(
    page: Page, console: Console, many: Server, size: ViewportSize
) -> None:
    open_list(page, many, size)
    # Segregation is the first statement, then secured amounts, then swaps.
    groups = page.locator("#firms thead th.group")
    expect(groups).to_have_text(["Segregation Statement", "Secured Amounts", "Swaps Statement"])
    boxes = page.eval_on_selector_all(
        "#firms tbody tr",
        """rows => rows.map(r => {
            const box = (el) => { const b = el.getBoundingClientRect(); return {x: b.x, y: b.y, right: b.right, bottom: b.bottom}; };
            const wrap = r.closest('.table-wrap').getBoundingClientRect();
            return {firm: box(r.cells[0]), excess: box(r.querySelector('td[data-statement=segregation][data-part=excess]')),
                    percent: box(r.querySelector('td[data-statement=segregation][data-part=excess_percent]')),
                    wrap: {right: wrap.right, bottom: wrap.bottom}};
        })""",
    )
    on_screen = [b for b in boxes if b["firm"]["bottom"] <= min(size["height"], b["wrap"]["bottom"])]
    assert len(on_screen) >= (8 if size is DESKTOP else 4), boxes[:3]
    for b in on_screen:
        for cell in (b["excess"], b["percent"]):
            assert cell["x"] >= 0 and cell["right"] <= size["width"], (cell, size)
            assert cell["y"] >= 0 and cell["bottom"] <= size["height"], (cell, size)
    assert console.errors == []


@SIZES
def test_firm_column_is_frozen_and_the_header_sticks(page: Page, many: Server, size: ViewportSize) -> None:
    open_list(page, many, size, "/?grid=full")
    firm = page.locator("#firms tbody th.firm").first
    head = page.locator("#firms thead th.group").first
    assert firm.evaluate("el => [getComputedStyle(el).position, getComputedStyle(el).left]") == ["sticky", "0px"]
    assert page.locator("#firms thead").evaluate("el => getComputedStyle(el).position") == "sticky"
    before, head_before = firm.bounding_box(), head.bounding_box()
    assert before is not None and head_before is not None
    # The table scrolls inside its own box, both ways: the firm column and the header stay put.
    page.locator(".firms-wrap").evaluate("el => { el.scrollLeft = 400; el.scrollTop = 300; }")
    page.wait_for_timeout(50)
    assert page.locator(".firms-wrap").evaluate("el => el.scrollLeft") > 0
    top_firm = page.locator("#firms thead th.firm").bounding_box()
    assert top_firm is not None and abs(top_firm["y"] - head_before["y"]) < 2
    rows = page.locator("#firms tbody th.firm")
    visible_row = rows.nth(10).bounding_box()
    assert visible_row is not None and abs(visible_row["x"] - before["x"]) < 1
    no_page_overflow(page)


def test_worst_first_by_default(page: Page, console: Console, many: Server) -> None:
    open_list(page, many, DESKTOP)
    expect(page.locator("#firms th[aria-sort=ascending]")).to_have_text("Status")
    keys = worst_keys(page)
    # By the registry's rank of each firm's worst finding, firms with none last...
    ranked = [k for k in keys if k is not None]
    assert ranked == sorted(ranked) and keys == ranked + [None] * (len(keys) - len(ranked))
    assert statuses(page)[0] == ["deficiency"]
    # ...and among equal ranks the thinnest excess as % of requirement first.
    percents = page.eval_on_selector_all(
        "#firms tbody tr",
        "rows => rows.map(r => Math.min(...Array.from(r.querySelectorAll('td[data-part=excess_percent]'), "
        "c => c.dataset.value === '' ? Infinity : Number(c.dataset.value))))",
    )
    for i in range(1, len(keys)):
        if keys[i] == keys[i - 1]:
            assert percents[i - 1] <= percents[i], (i, keys[i], percents[i - 1], percents[i])
    # Each row's own marks are worst first too.
    for rules in statuses(page):
        assert [rule_rank(r) for r in rules] == sorted(rule_rank(r) for r in rules)
    assert console.errors == []


def test_status_sorts_by_severity_rank_and_excess_by_percent(page: Page, console: Console, many: Server) -> None:
    open_list(page, many, DESKTOP)
    default = statuses(page)
    page.get_by_role("button", name="Firm").click()
    names = page.locator("#firms tbody th.firm").all_text_contents()
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    page.get_by_role("button", name="Status").click()
    expect(page.locator("#firms th[aria-sort=ascending]")).to_have_text("Status")
    assert statuses(page) == default  # by rank, ties in the default order (not by the marks' text)
    page.get_by_role("button", name="Status").click()
    expect(page.locator("#firms th[aria-sort=descending]")).to_have_text("Status")
    keys = [k for k in worst_keys(page) if k is not None]
    assert keys == sorted(keys, reverse=True)
    assert worst_keys(page)[0] is None  # the clean firms lead when the order is reversed
    # The status cells carry numeric keys.
    for value in page.eval_on_selector_all("#firms tbody td.status", "cells => cells.map(c => c.dataset.value)"):
        assert re.fullmatch(r"\d+", value)
    # Excess sorts by dollars, and by % of requirement.
    for part in ("excess", "excess_percent"):
        page.locator(f"#firms thead th[data-statement=segregation][data-part={part}] button").click()
        values = [Decimal(v) for v in column(page, "segregation", part) if v]
        assert values == sorted(values), part
    assert console.errors == []


def test_the_sort_is_kept_in_the_url_and_read_back(page: Page, console: Console, many: Server) -> None:
    open_list(page, many, DESKTOP)
    button = page.locator("#firms thead th[data-statement=segregation][data-part=excess_percent] button")
    button.click()
    button.click()
    assert page.url.endswith("?sort=segregation.excess_percent&dir=desc")
    page.goto(page.url)  # a link to the sorted list opens sorted
    expect(page.locator("#firms th[aria-sort=descending]")).to_have_attribute("data-part", "excess_percent")
    values = [Decimal(v) for v in column(page, "segregation", "excess_percent") if v]
    assert len(values) > 10 and values == sorted(values, reverse=True)
    assert console.errors == []


def test_full_grid_on_request_kept_in_the_url(page: Page, console: Console, many: Server) -> None:
    open_list(page, many, DESKTOP)
    compact = page.locator("#firms thead tr").nth(1).locator("th").count()
    page.get_by_role("link", name="Show every key line").click()
    expect(page).to_have_url(re.compile(r"[?&]grid=full"))
    full = page.locator("#firms thead tr").nth(1).locator("th").count()
    assert full > compact
    page.get_by_label("Search firms").fill("alpha")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=alpha.*grid=full|grid=full.*q=alpha"))
    expect(page.locator("#firms tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Show the key figures only").click()
    expect(page).to_have_url(re.compile(r"q=alpha"))
    assert "grid=full" not in page.url
    assert page.locator("#firms thead tr").nth(1).locator("th").count() == compact
    assert console.errors == []


@SIZES
def test_sort_buttons_show_a_focus_ring_by_keyboard(page: Page, many: Server, size: ViewportSize) -> None:
    open_list(page, many, size)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#firms th button')"):
            break
    assert page.evaluate("document.activeElement.textContent") == "Firm"
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()")
    assert style[0] not in ("none", "") and float(style[1].removesuffix("px")) >= 2, style
    page.keyboard.press("Enter")
    expect(page.locator("#firms th[aria-sort=ascending]")).to_have_text("Firm")


def test_marks_read_without_colour_or_emoji_fonts(page: Page, many: Server) -> None:
    open_list(page, many, DESKTOP)
    marks = page.locator("#firms .mark").all_text_contents()
    assert marks
    for text in marks:
        assert re.fullmatch(r"[A-Z]+ [a-z0-9 ]+", text), text  # plain ASCII: a tag in capitals and the rule's words
    beta = page.locator("#firms tbody tr").filter(has_text="Clearing").filter(has_text="Beta")
    expect(beta.locator("th")).to_have_text(MARKUP_FIRM)
    expect(beta.locator(".mark")).to_have_text(["ALERT deficiency"])
    # The page's own text needs no emoji font either (the sort arrows are geometric shapes DejaVu holds).
    body = page.locator("#firms").inner_text()
    assert not re.search("[\U0001f000-\U0001faff\u2600-\u27bf]", body), body[:200]
