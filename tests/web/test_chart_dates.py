"""The firm page's charts in real Chromium set to America/Chicago: calendar dates on the axis and in the legend
(never hours), excess on its own scale with the target as a band, the monitor's findings marked, one range
control, and the range kept in the address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page, expect

from dailyseg.money import from_cents
from dailyseg.standing import Standing, over_target_of
from dailyseg.web.charts import chart_events
from tests.web.support import DESKTOP, Console, Server

FIRM = "/firms/alpha-futures"
HOURS = re.compile(r"\d:\d\d|\b\d{1,2}\s?(am|pm)\b", re.IGNORECASE)


@pytest.fixture
def chicago(browser: Browser) -> Iterator[Page]:
    """A page whose clock is in America/Chicago: UTC-6 (or -5 in summer), where UTC midnight is the day before."""
    context = browser.new_context(timezone_id="America/Chicago", viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def drawn(page: Page) -> None:
    expect(page.locator("figure.chart canvas")).to_have_count(3)


def axis_labels(page: Page, chart: str, axis: int) -> list[str]:
    """The tick labels uPlot drew on an axis (it keeps them on the axis, as `_values`)."""
    labels: list[str] = page.evaluate(f"() => document.querySelector('#chart-{chart}').uplot.axes[{axis}]._values.slice()")
    return labels


def legend_date(page: Page, chart: str, fraction: float) -> str:
    """Point at a fraction of the chart's width and read the End Date the legend shows."""
    over = page.locator(f"#chart-{chart} .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2, steps=5)
    value = page.locator(f"#chart-{chart} .u-legend tr.u-series").first.locator(".u-value")
    expect(value).not_to_have_text("—")
    text: str = value.inner_text()
    return text


def test_the_browser_runs_in_chicago(chicago: Page, server: Server) -> None:
    chicago.goto(server.url + FIRM)
    assert chicago.evaluate("() => new Date('2024-03-04T00:00:00Z').getTimezoneOffset()") == 360
    assert chicago.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/Chicago"


def test_a_zoomed_range_shows_its_calendar_dates_in_chicago(chicago: Page, server: Server) -> None:
    console = Console(chicago)
    chicago.goto(server.url + FIRM + "?from=2024-03-04&to=2024-03-15")
    drawn(chicago)
    for chart in ("segregation", "secured", "swaps"):
        labels = axis_labels(chicago, chart, 0)
        assert labels[0] == "Mar 4", labels
        assert labels[-1] == "Mar 15", labels
        assert not [label for label in labels if HOURS.search(label)], labels
    assert legend_date(chicago, "segregation", 0.99).startswith("2024-03-15")
    assert legend_date(chicago, "segregation", 0.01).startswith("2024-03-04")
    assert chicago.input_value("#range-from") == "2024-03-04"
    assert chicago.input_value("#range-to") == "2024-03-15"
    assert console.errors == []


def test_a_range_of_two_days_has_day_ticks_not_hours(chicago: Page, server: Server) -> None:
    chicago.goto(server.url + FIRM + "?from=2024-03-14&to=2024-03-15")
    drawn(chicago)
    labels = axis_labels(chicago, "segregation", 0)
    assert labels == ["Mar 14", "Mar 15"], labels
    assert legend_date(chicago, "segregation", 0.99).startswith("2024-03-15")


def test_the_whole_history_has_month_or_day_ticks(chicago: Page, server: Server) -> None:
    chicago.goto(server.url + FIRM + "?from=2024-01-02&to=2024-03-28")
    drawn(chicago)
    labels = axis_labels(chicago, "segregation", 0)
    assert labels and all(re.fullmatch(r"(Jan|Feb|Mar|Apr) \d{1,4}", label) for label in labels), labels


def test_excess_has_its_own_scale_with_the_target_as_a_band_and_dollar_axes(chicago: Page, server: Server) -> None:
    chicago.goto(server.url + FIRM)
    drawn(chicago)
    chart = chicago.evaluate(
        """() => {
            const u = document.querySelector('#chart-segregation').uplot;
            return {
                scales: u.series.slice(1).map((s) => [s.label, s.scale, !!s.fill]),
                axes: u.axes.slice(1).map((a) => [a.scale, a.label, a.side]),
            };
        }"""
    )
    scales = {label.split(" [")[0]: (scale, filled) for label, scale, filled in chart["scales"]}
    requirement = next(k for k in scales if "requirement" in k.lower() or "required" in k.lower())
    funds = next(k for k in scales if "funds" in k.lower())
    excess = next(k for k in scales if k.lower().startswith("excess"))
    target = next(k for k in scales if "target" in k.lower())
    assert scales[requirement][0] == scales[funds][0] == "$"
    assert scales[excess][0] == scales[target][0] == "excess"
    assert scales[target][1] is True  # the band under the target
    assert [a[0] for a in chart["axes"]] == ["$", "excess"]
    assert all("US dollars" in a[1] for a in chart["axes"])
    for axis in (1, 2):
        labels = axis_labels(chicago, "segregation", axis)
        assert labels and all(re.fullmatch(r"\(?\$\d+(\.\d+)?[KMB]?\)?", label) for label in labels), labels
    legend_date(chicago, "segregation", 0.5)
    expect(chicago.locator("#chart-segregation .u-legend")).to_contain_text(re.compile(r"Excess \[7190\]:?\s*\(?\$[\d,]+"))


BETA = "/firms/beta-b-clearing-b-and-script-alert-x-script"


def point_at(page: Page, chart: str, iso: str) -> None:
    """Point at an End Date on a chart (uPlot's own position of it)."""
    over = page.locator(f"#chart-{chart} .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    assert box is not None
    x = page.evaluate(f"() => document.querySelector('#chart-{chart}').uplot.valToPos(Date.parse('{iso}T00:00:00Z') / 1000, 'x')")
    page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2, steps=5)


def inked(page: Page, chart: str, iso: str, colour: tuple[int, int, int]) -> int:
    """How many pixels near an End Date's column of the plot are of a colour (the marker's)."""
    found: int = page.evaluate(
        f"""() => {{
            const u = document.querySelector('#chart-{chart}').uplot;
            const x = Math.round(u.valToPos(Date.parse('{iso}T00:00:00Z') / 1000, 'x', true));
            const [r0, g0, b0] = {list(colour)};
            let found = 0;
            for (let dx = -6; dx <= 6; dx++) for (let y = u.bbox.top; y < u.bbox.top + u.bbox.height; y += 2) {{
                const [r, g, b] = u.ctx.getImageData(x + dx, y, 1, 1).data;
                if (Math.abs(r - r0) < 20 && Math.abs(g - g0) < 20 && Math.abs(b - b0) < 20) found += 1;
            }}
            return found;
        }}"""
    )
    return found


def test_a_deficiency_is_marked_on_its_days(chicago: Page, server: Server) -> None:
    console = Console(chicago)
    chicago.goto(server.url + BETA)
    drawn(chicago)
    for chart in ("segregation", "secured", "swaps"):
        expect(chicago.locator(f"#chart-{chart}")).to_have_attribute("data-events", "2")
        expect(chicago.locator(f"#chart-{chart} .chart-note")).to_contain_text("2 days with findings marked")
    point_at(chicago, "segregation", "2024-03-27")
    legend = chicago.locator("#chart-segregation .u-legend tr.u-series").first.locator(".u-value")
    expect(legend).to_have_text("2024-03-27 ■ error: deficiency")
    assert inked(chicago, "segregation", "2024-03-27", (0xAA, 0, 0)) > 5
    assert console.errors == []


def test_an_amendment_is_marked_and_a_plain_day_is_not(chicago: Page, server: Server) -> None:
    chicago.goto(server.url + FIRM + "?from=2024-03-11&to=2024-03-18")
    drawn(chicago)
    expect(chicago.locator("#chart-secured")).to_have_attribute("data-events", "1")
    point_at(chicago, "secured", "2024-03-14")
    legend = chicago.locator("#chart-secured .u-legend tr.u-series").first.locator(".u-value")
    expect(legend).to_have_text("2024-03-14 ● notice: amended")
    assert inked(chicago, "secured", "2024-03-14", (0x5A, 0x5A, 0x5A)) > 5
    assert inked(chicago, "secured", "2024-03-13", (0x5A, 0x5A, 0x5A)) == 0
    point_at(chicago, "secured", "2024-03-13")
    expect(legend).to_have_text("2024-03-13")


def test_one_range_control_and_the_range_kept_in_the_address(chicago: Page, server: Server) -> None:
    console = Console(chicago)
    chicago.goto(server.url + FIRM)
    drawn(chicago)
    expect(chicago.locator("input[type=date]")).to_have_count(2)
    chicago.fill("#range-from", "2024-02-01")
    chicago.fill("#range-to", "2024-02-29")
    chicago.get_by_role("button", name="Zoom", exact=True).click()
    expect(chicago).to_have_url(re.compile(r"\?from=2024-02-01&to=2024-02-29$"))
    # A drag across the chart zooms every chart, and the address follows.
    chicago.locator("#chart-segregation .u-over").scroll_into_view_if_needed()
    box = chicago.locator("#chart-segregation .u-over").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    chicago.mouse.move(box["x"] + box["width"] * 0.3, y)
    chicago.mouse.down()
    chicago.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    chicago.mouse.up()
    expect(chicago).not_to_have_url(re.compile(r"from=2024-02-01&to=2024-02-29"))
    found = re.search(r"\?from=(\d{4}-\d\d-\d\d)&to=(\d{4}-\d\d-\d\d)$", chicago.url)
    assert found is not None, chicago.url
    start, end = found.groups()
    assert "2024-02-01" < start < end < "2024-02-29"
    assert chicago.input_value("#range-from") == start
    assert chicago.input_value("#range-to") == end
    shown = axis_labels(chicago, "swaps", 0)
    # Read back on load: the same range, the same ticks, and the filings listed are those of the range.
    chicago.reload()
    drawn(chicago)
    assert chicago.input_value("#range-from") == start
    assert chicago.input_value("#range-to") == end
    assert axis_labels(chicago, "swaps", 0) == shown
    expect(chicago.locator("section[aria-labelledby=filings-h] p.muted").first).to_contain_text(f"from {start} to {end}")
    assert console.errors == []


def test_the_chart_data_carries_the_events_by_statement(client: TestClient) -> None:
    chart = client.get("/api/firms/alpha-futures/chart").json()
    assert set(chart["events"]) == set(chart["statements"])
    for events in chart["events"].values():
        assert events == [{"date": "2024-03-14", "severity": "notice", "rules": ["amended"]}]
    beta = client.get("/api/firms/beta-b-clearing-b-and-script-alert-x-script/chart").json()
    for events in beta["events"].values():
        assert events == [
            {"date": "2024-03-27", "severity": "error", "rules": ["deficiency"]},
            {"date": "2024-03-28", "severity": "error", "rules": ["deficiency"]},
        ]
    # The events agree with the monitor's findings of the same kind.
    found = client.get("/api/firms/beta-b-clearing-b-and-script-alert-x-script/findings").json()
    days = {(f["statement"], f["end_date"]) for f in found if f["rule"] == "deficiency"}
    assert days == {(s, e["date"]) for s, events in beta["events"].items() for e in events}
    assert all(isinstance(v, str) or v is None for s in chart["statements"].values() for vs in s["series"].values() for v in vs)


def test_below_target_and_deficiency_from_the_figures() -> None:
    day = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
    figures: dict[str, dict[str, list[int | None]]] = {
        "segregation": {
            "requirement": [100, 100, 100],
            "funds": [150, 105, 90],
            "excess": [50, 5, -10],
            "target": [20, 20, 20],
            "excess_over_target": [None, None, None],
        }
    }
    events = chart_events(day, [False, True, False], figures)["segregation"]
    assert [(e.date, e.severity, e.rules) for e in events] == [
        ("2024-01-03", "warning", ["below-target", "amended"]),
        ("2024-01-04", "error", ["deficiency"]),
    ]


cents = st.one_of(st.none(), st.integers(min_value=-(10**14), max_value=10**14))


@given(excess=cents, target=cents, over=cents)
def test_the_charts_events_in_cents_are_the_standings_judgment_in_dollars(excess: int | None, target: int | None, over: int | None) -> None:
    """The chart judges each day in integer cents; the monitor's rules judge `Standing` in dollars: the same days."""
    parts: dict[str, list[int | None]] = {"requirement": [None], "funds": [None], "excess": [excess], "target": [target]}
    figures = {"segregation": parts | {"excess_over_target": [over]}}
    events = chart_events([date(2024, 1, 2)], [False], figures)["segregation"]
    dollars = [None if c is None else from_cents(c) for c in (excess, target, over)]
    place = Standing("segregation", None, None, dollars[0], dollars[1], "", over_target_of(dollars[2], dollars[0], dollars[1]))
    expected = [rule for rule, hit in (("deficiency", place.deficient), ("below-target", place.below_target)) if hit]
    assert [rule for e in events for rule in e.rules] == expected
