"""The public pages an FCM posts: 12 months of daily figures (17 CFR 1.55(o)) and a one-page summary.

The 1.55(o) page lists, for each business day of the most recent 12 months, the requirement, the funds,
the excess and the target of each statement from the filing of record, with data taken from an amended
filing marked. The summary follows NFA's public FCM report: total funds, amount required, excess, target
and the percentage of funds by holding type, the grouping of funds lines into holding types being the
catalogue's (`[[holding_types]]` in statements.toml). A chart shows requirement, funds, excess and
target over the period (Altair, rendered to SVG offline by vl-convert).

The daily figures are one table per statement (End Date, the four figures, notes), not one table of every
statement side by side: six columns fit a printed page and a phone's screen, where thirteen did not, and a
reader looks up one pool at a time. Amounts are printed as the form and dailyseg's other pages print them,
negatives in parentheses, and a day whose excess is negative says "Deficiency" in words, so the mark
survives printing in black and white and reading aloud.

A posting set (`posting_set`) is the folder a firm puts on its web site: that page as index.html and PDF,
and each day's filing as dailyseg renders it (`render_html`, and `render_pdf` when asked), every version
of an amended day kept and linked from the page. The page never shows a store's internal ids: a day is
named by its End Date and a version by its number and status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

import jinja2
from markupsafe import Markup

from dailyseg.catalogue import CATALOGUE, Statement
from dailyseg.filing import Filing
from dailyseg.money import format_amount
from dailyseg.store import FilingVersion, Store

# The key lines the page shows: all but the excess over target, the distance between two of them.
MEASURES = tuple(k.id for k in CATALOGUE.key_lines if k.id != "excess_over_target")
LABELS = {k.id: k.report_label for k in CATALOGUE.key_lines}
PERIOD_DAYS = 365
# The font the page asks for; fonts-dejavu-core is a system package of dailyseg, so the PDF embeds it.
FONT = "DejaVu Sans"
DAYS_FOLDER = "days"


@dataclass(frozen=True)
class DayFigures:
    """One day's figures of one statement, from that day's filing of record."""

    end_date: date
    statement: str
    values: dict[str, Decimal | None]
    amended: bool

    @property
    def deficient(self) -> bool:
        """Funds below the requirement (17 CFR 1.12(h)): the day a reader of the page looks for first."""
        excess = self.values.get("excess")
        return excess is not None and excess < 0


@dataclass(frozen=True)
class Holding:
    label: str
    amount: Decimal
    percent: Decimal | None


@dataclass(frozen=True)
class StatementSummary:
    statement: Statement
    values: dict[str, Decimal | None]
    holdings: tuple[Holding, ...]


@dataclass(frozen=True)
class Publication:
    """The figures of a firm's 12 months; `versions` holds every stored version of each amended day, in order
    (the filing of record last), for the links of a posting set."""

    firm_id: str
    name: str
    start: date
    end: date
    days: tuple[DayFigures, ...]
    summary: tuple[StatementSummary, ...]
    latest: FilingVersion
    versions: dict[date, tuple[FilingVersion, ...]]

    def statements(self) -> list[Statement]:
        present = {d.statement for d in self.days}
        return [s for s in CATALOGUE.statements if s.id in present]


def _measures(statement: Statement, filing: Filing) -> dict[str, Decimal | None]:
    return {m: filing.get(statement.key_refs[m]) for m in MEASURES}


def holdings(statement: Statement, filing: Filing) -> tuple[Holding, ...]:
    """Funds by holding type as amounts and percentages of the statement's total funds."""
    total = filing.get(statement.funds)
    found = []
    for holding in CATALOGUE.holding_types:
        refs = [ref for ref in holding.refs if CATALOGUE.statement_of(ref) == statement.id]
        amount = sum((filing.get(ref) or Decimal(0) for ref in refs), Decimal(0))
        percent = (amount * 100 / total).quantize(Decimal("0.1")) if total else None
        found.append(Holding(holding.label, amount, percent))
    return tuple(found)


def _is_amended(version: FilingVersion) -> bool:
    return version.status.upper() == "AMENDED" or version.version > 1


def version_text(version: FilingVersion) -> str:
    """A version as the page names it: number, status and submission date, never the store's id. It ends in
    a bracket, not a date: import-nfa reads a line ending in a number under a word such as "Deficiency" as
    a summary figure, and a day's notes may say both."""
    return f"version {version.version} ({version.status}, submitted {version.submit_date or 'on an unknown date'})"


def publication(store: Store, firm: str, end: date | None = None) -> Publication:
    """The figures of the 12 months up to `end` (default: the firm's latest End Date)."""
    return _gathered(store, firm, end)[0]


def _gathered(store: Store, firm: str, end: date | None) -> tuple[Publication, list[tuple[FilingVersion, Filing]]]:
    """The publication and the filings of record it was made from (which a posting set renders too)."""
    firm_id = store.require(firm)
    latest_end = end or max(v.end_date for v in store.filings(firm_id, record_only=True))
    start = latest_end - timedelta(days=PERIOD_DAYS) + timedelta(days=1)
    records = store.record_filings(firm_id, start, latest_end)
    if not records:
        raise KeyError(f"{firm_id} filed nothing from {start} to {latest_end}")
    days = []
    amended_days = {version.end_date: version for version, _ in records if _is_amended(version)}
    for version, filing in records:
        amended = version.end_date in amended_days
        for statement in CATALOGUE.statements:
            if statement.id in filing.statements:
                days.append(DayFigures(version.end_date, statement.id, _measures(statement, filing), amended))
    versions: dict[date, tuple[FilingVersion, ...]] = {}
    if amended_days:
        for version in store.filings(firm_id, min(amended_days), max(amended_days)):
            record = amended_days.get(version.end_date)
            if record is not None and version.form == record.form:
                versions[version.end_date] = (*versions.get(version.end_date, ()), version)
    latest_version, latest = records[-1]
    summary = tuple(
        StatementSummary(s, _measures(s, latest), holdings(s, latest)) for s in CATALOGUE.statements if s.id in latest.statements
    )
    pub = Publication(firm_id, latest_version.firm_name, start, latest_end, tuple(days), summary, latest_version, versions)
    return pub, records


# Axis labels in millions or billions: a tick label of thirteen characters ("4,000,000,000") crowded the
# axis title off its place and the panels off the page. Vega's own SI format would say "G" for billions.
_DOLLAR_LABEL = (
    "abs(datum.value) >= 1e9 ? format(datum.value / 1e9, '$,.1f') + 'B'"
    " : abs(datum.value) >= 1e6 ? format(datum.value / 1e6, '$,.0f') + 'M'"
    " : format(datum.value, '$,.0f')"
)
_DAY_MS = 86_400_000


def chart_spec(pub: Publication) -> dict[str, Any]:
    """A Vega-Lite spec: one panel per statement, named as the catalogue names it, a line per measure.

    Amounts travel as strings and are parsed by Vega for drawing only. End Dates are parsed and shown in
    UTC, at the day: a date parsed as local midnight is drawn hours away from its tick once rendered in
    another zone, and ticks between days would be labelled with hours. The legend sits below the panels so
    the chart's width is the panels' own, which the page can shrink to fit.
    """
    import altair as alt

    names = {s.id: s.name for s in CATALOGUE.statements}
    order = [LABELS[m] for m in MEASURES]
    records = [
        {"date": d.end_date.isoformat(), "statement": names[d.statement], "measure": LABELS[m], "value": str(v)}
        for d in pub.days
        for m, v in d.values.items()
        if v is not None
    ]
    data = alt.InlineData(values=records, format={"parse": {"value": "number", "date": "utc:'%Y-%m-%d'"}})
    x_axis = alt.Axis(format="%Y-%m-%d", labelOverlap="greedy", labelSeparation=12, tickMinStep=_DAY_MS, labelPadding=4, titlePadding=8)
    y_axis = alt.Axis(labelExpr=_DOLLAR_LABEL, tickCount=4, labelPadding=4, titlePadding=12)
    legend = alt.Legend(orient="bottom", title=None, direction="horizontal", columns=4, symbolStrokeWidth=2)
    chart = (
        alt.Chart(data)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=alt.X("utcyearmonthdate(date):T", title="End Date", axis=x_axis),
            y=alt.Y("value:Q", title="US dollars", axis=y_axis),
            # Dashes as well as colours: the lines stay apart on a page printed in black and white.
            color=alt.Color("measure:N", sort=order, scale=alt.Scale(domain=order), legend=legend),
            strokeDash=alt.StrokeDash("measure:N", sort=order, scale=alt.Scale(domain=order), legend=legend),
        )
        .properties(width=720, height=80)
        .facet(
            row=alt.Row(
                "statement:N",
                sort=[names[s.id] for s in pub.statements()],
                header=alt.Header(title=None, labelAngle=0, labelOrient="top", labelAnchor="start", labelFontWeight="bold", labelPadding=4),
            ),
            spacing=18,
        )
        .resolve_scale(y="independent")
        .configure(font=FONT, padding={"left": 8, "right": 16, "top": 8, "bottom": 8})
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def chart_svg(pub: Publication) -> str:
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(chart_spec(pub))
    return svg


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dailyseg.watch", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    # Negatives in parentheses, as the form, render.html and the web pages print them.
    environment.filters["amount"] = lambda v: "" if v is None else format_amount(v, parentheses=True)
    environment.filters["version"] = version_text
    return environment


def day_path(end_date: date, ext: str, version: int | None = None) -> str:
    """Where a posting set keeps a day's filing: the filing of record at days/END-DATE.ext (`version` None),
    so a day's address does not change when it is amended, and each earlier version at days/END-DATE-vN.ext."""
    suffix = "" if version is None else f"-v{version}"
    return f"{DAYS_FOLDER}/{end_date.isoformat()}{suffix}.{ext}"


def render_publication(pub: Publication, *, links: tuple[str, ...] = ()) -> str:
    """The summary page followed by a 12-month table per statement, as one standalone HTML page (styles
    inline). With `links`, the kinds of day documents beside it ("html", "pdf": a posting set's index), each
    End Date links to that day's filing and an amended day to each of its versions, at `day_path`."""
    by_statement: dict[str, list[DayFigures]] = {}
    for d in pub.days:
        by_statement.setdefault(d.statement, []).append(d)
    amended_days = {d.end_date for d in pub.days if d.amended}
    return (
        _environment()
        .get_template("publish.html.j2")
        .render(
            pub=pub,
            tables=[(s, by_statement[s.id]) for s in pub.statements()],
            measures=MEASURES,
            labels=LABELS,
            chart=Markup(chart_svg(pub)),
            amended_days=len(amended_days),
            deficient_days=len({d.end_date for d in pub.days if d.deficient}),
            links=links,
            day_path=day_path,
            font=FONT,
        )
    )


@dataclass(frozen=True)
class PostedFile:
    """One file of a posting set: its path inside the folder and how to make its content.

    Content is made when asked (`make()`), not when planned, so a caller can count the files first,
    write each as soon as it is made and show progress through a year of PDFs (about two seconds each).
    """

    path: str
    make: Callable[[], str | bytes]


def posting_set(store: Store, firm: str, end: date | None = None, *, day_pdfs: bool = False) -> list[PostedFile]:
    """The files of the folder a firm posts: every version of every day of the 12 months (HTML, and PDF with
    `day_pdfs`), then the page as index.pdf and index.html. The page comes last so that a reader of the
    folder while it is written never follows a link to a day not written yet."""
    from dailyseg.render.html import render_html
    from dailyseg.render.pdf import html_to_pdf, render_pdf

    pub, records = _gathered(store, firm, end)
    earlier = [v for versions in pub.versions.values() for v in versions if not v.is_record]
    documents = sorted([*records, *zip(earlier, store.contents(earlier), strict=True)], key=lambda d: (d[0].end_date, d[0].version))
    files: list[PostedFile] = []
    for version, filing in documents:
        number = None if version.is_record else version.version
        files.append(PostedFile(day_path(version.end_date, "html", number), partial(render_html, filing)))
        if day_pdfs:
            files.append(PostedFile(day_path(version.end_date, "pdf", number), partial(render_pdf, filing)))
    page = render_publication(pub, links=("html", "pdf") if day_pdfs else ("html",))
    files.append(PostedFile("index.pdf", partial(html_to_pdf, page)))
    files.append(PostedFile("index.html", lambda: page))
    return files
