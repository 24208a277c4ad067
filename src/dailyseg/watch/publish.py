"""The public pages an FCM posts: 12 months of daily figures (17 CFR 1.55(o)) and a one-page summary.

The 1.55(o) page lists, for each business day of the most recent 12 months, the requirement, the funds,
the excess and the target of each statement from the filing of record, with data taken from an amended
filing marked. The summary follows NFA's public FCM report: total funds, amount required, excess, target
and the percentage of funds by holding type, the grouping of funds lines into holding types being the
catalogue's (`[[holding_types]]` in statements.toml). A chart shows requirement, funds, excess and
target over the period (Altair, rendered to SVG offline by vl-convert).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
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


@dataclass(frozen=True)
class DayFigures:
    """One day's figures of one statement, from that day's filing of record."""

    end_date: date
    statement: str
    values: dict[str, Decimal | None]
    amended: bool
    filing_id: int
    note: str


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
    firm_id: str
    name: str
    start: date
    end: date
    days: tuple[DayFigures, ...]
    summary: tuple[StatementSummary, ...]
    latest: FilingVersion

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


def publication(store: Store, firm: str, end: date | None = None) -> Publication:
    """The figures of the 12 months up to `end` (default: the firm's latest End Date)."""
    firm_id = store.require(firm)
    latest_end = end or max(v.end_date for v in store.filings(firm_id, record_only=True))
    start = latest_end - timedelta(days=PERIOD_DAYS) + timedelta(days=1)
    records = store.record_filings(firm_id, start, latest_end)
    if not records:
        raise KeyError(f"{firm_id} filed nothing from {start} to {latest_end}")
    days = []
    for version, filing in records:
        amended = version.status.upper() == "AMENDED" or version.version > 1
        note = (
            f"amended: version {version.version} ({version.status}), submitted {version.submit_date or 'on an unknown date'}"
            if amended
            else ""
        )
        for statement in CATALOGUE.statements:
            if statement.id in filing.statements:
                days.append(DayFigures(version.end_date, statement.id, _measures(statement, filing), amended, version.id, note))
    latest_version, latest = records[-1]
    summary = tuple(
        StatementSummary(s, _measures(s, latest), holdings(s, latest)) for s in CATALOGUE.statements if s.id in latest.statements
    )
    return Publication(firm_id, latest_version.firm_name, start, latest_end, tuple(days), summary, latest_version)


def chart_spec(pub: Publication) -> dict[str, Any]:
    """A Vega-Lite spec: one panel per statement, a line per measure. Amounts travel as strings and are
    parsed by Vega for drawing only."""
    import altair as alt

    records = [
        {"date": d.end_date.isoformat(), "statement": d.statement, "measure": m, "value": str(v)}
        for d in pub.days
        for m, v in d.values.items()
        if v is not None
    ]
    data = alt.InlineData(values=records, format={"parse": {"value": "number", "date": "date"}})
    chart = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("date:T", title="End Date"),
            y=alt.Y("value:Q", title="dollars"),
            color=alt.Color("measure:N", sort=list(MEASURES)),
        )
        .properties(width=760, height=70)
        .facet(row=alt.Row("statement:N", title=None))
        .resolve_scale(y="independent")
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
    environment.filters["amount"] = lambda v: "" if v is None else format_amount(v)
    return environment


def render_publication(pub: Publication) -> str:
    """The summary page followed by the 12-month table, as one standalone HTML page (styles inline)."""
    by_day: dict[date, dict[str, DayFigures]] = {}
    for d in pub.days:
        by_day.setdefault(d.end_date, {})[d.statement] = d
    return (
        _environment()
        .get_template("publish.html.j2")
        .render(
            pub=pub,
            statements=pub.statements(),
            measures=MEASURES,
            labels=LABELS,
            rows=sorted(by_day.items()),
            chart=Markup(chart_svg(pub)),
            amended_days=sum(1 for figures in by_day.values() if any(f.amended for f in figures.values())),
        )
    )
