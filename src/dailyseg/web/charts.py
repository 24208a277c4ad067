"""The figures the firm page charts: requirement, funds, excess and target of each statement over time.

Answered in columns (one list of dates, one list of amounts per series) so the browser draws them
without reshaping; amounts stay strings, exact, like everywhere in the API. The monitor's events ride
along, one per statement and End Date (the worst severity and the rules), so the chart marks their days:
a deficiency and excess below target, read from the same figures by `dailyseg.standing` as the monitor's
rules read them (the filed target and excess over target lines; a target given only on the cover page is
not read here), and an amended filing of record, which concerns every statement. Running the whole monitor
over a firm's history would take seconds; these come from the one query the chart makes.
"""

from __future__ import annotations

from datetime import date

from dailyseg.catalogue import CATALOGUE
from dailyseg.money import cents_text
from dailyseg.shapes import ChartEvent, ChartOut, ChartPart, ChartStatement
from dailyseg.standing import is_below_target, is_deficient, over_target_of
from dailyseg.store import HistoryColumns

# The key lines a chart draws: every one the catalogue names except the excess over target, which is the
# distance between two drawn lines (read too, for the events).
PARTS = tuple(k.id for k in CATALOGUE.key_lines if k.id != "excess_over_target")
OVER = "excess_over_target"


def chart_codes() -> dict[str, dict[str, str]]:
    """For each statement, the code of each charted part, from the catalogue."""
    return {s.id: {part: s.key_refs[part] for part in PARTS} for s in CATALOGUE.statements}


# Every code a chart reads: each statement's charted parts, then its excess over target.
CHARTED = [*(code for parts in chart_codes().values() for code in parts.values()), *(s.key_refs[OVER] for s in CATALOGUE.statements)]


def chart_events(dates: list[date], amended: list[bool], figures: dict[str, dict[str, list[int | None]]]) -> dict[str, list[ChartEvent]]:
    """By statement, the days of a deficiency (error), of excess below target (warning) or of an amended
    filing of record (notice), from the figures in cents of each part (and the excess over target), judged
    in cents as `dailyseg.standing` judges dollars: ten years of days make no Decimal."""
    events: dict[str, list[ChartEvent]] = {}
    for statement, parts in figures.items():
        events[statement] = []
        for i, day in enumerate(dates):
            excess = parts["excess"][i]
            over = over_target_of(parts[OVER][i], excess, parts["target"][i])
            found = [
                (severity, rule)
                for severity, rule, hit in (
                    ("error", "deficiency", is_deficient(excess)),
                    ("warning", "below-target", is_below_target(excess, over)),
                    ("notice", "amended", amended[i]),
                )
                if hit
            ]
            if found:
                events[statement].append(ChartEvent(date=day.isoformat(), severity=found[0][0], rules=[rule for _, rule in found]))
    return events


def chart_of(firm_id: str, table: HistoryColumns) -> ChartOut:
    """The chart of the firm's figures as `Store.history_columns` reads them with `CHARTED`."""
    codes = chart_codes()
    where = {code: (statement, part) for statement, parts in codes.items() for part, code in parts.items()}
    overs = {s.key_refs[OVER]: s.id for s in CATALOGUE.statements}
    # Days whose filing of record carries none of the charted codes are left out, as a chart has nothing there.
    charted = [column for code, column in table.cents.items() if code in where]
    kept = [i for i in range(len(table.dates)) if any(column[i] is not None for column in charted)]
    series: dict[str, dict[str, list[str | None]]] = {s: {part: [] for part in PARTS} for s in codes}
    figures: dict[str, dict[str, list[int | None]]] = {s: {part: [None] * len(kept) for part in (*PARTS, OVER)} for s in codes}
    everyday = len(kept) == len(table.dates)
    for code, column in table.cents.items():
        statement, part = where[code] if code in where else (overs[code], OVER)
        chosen = column if everyday else [column[i] for i in kept]
        figures[statement][part] = chosen
        if part != OVER:
            series[statement][part] = [None if amount is None else cents_text(amount) for amount in chosen]
    statements = {
        s.id: ChartStatement(title=s.name, codes=codes[s.id], series=series[s.id])
        for s in CATALOGUE.statements
        if any(v is not None for values in series[s.id].values() for v in values)
    }
    dates = [table.dates[i] for i in kept]
    amended = [table.amended[i] for i in kept]
    return ChartOut(
        firm_id=firm_id,
        parts=[ChartPart(id=k.id, label=CATALOGUE.key_line_by_id[k.id].label) for k in CATALOGUE.key_lines if k.id in PARTS],
        dates=[d.isoformat() for d in dates],
        filing_ids=[table.filing_ids[i] for i in kept],
        amended=amended,
        statements=statements,
        events=chart_events(dates, amended, {s: figures[s] for s in statements}),
    )


def chart_within(chart: ChartOut, start: date | None, end: date | None) -> ChartOut:
    """The chart of the End Dates from `start` to `end` (either open), cut from the firm's whole chart: the same
    answer as `chart_of` the figures of that range, since each day's filing of record, figures and events are its own."""
    first, last = start.isoformat() if start else None, end.isoformat() if end else None
    if first is None and last is None:
        return chart
    kept = [i for i, day in enumerate(chart.dates) if (first is None or day >= first) and (last is None or day <= last)]
    statements = {}
    for sid, statement in chart.statements.items():
        series = {part: [values[i] for i in kept] for part, values in statement.series.items()}
        if any(v is not None for values in series.values() for v in values):
            statements[sid] = ChartStatement(title=statement.title, codes=statement.codes, series=series)
    shown = {chart.dates[i] for i in kept}
    return ChartOut(
        firm_id=chart.firm_id,
        parts=chart.parts,
        dates=[chart.dates[i] for i in kept],
        filing_ids=[chart.filing_ids[i] for i in kept],
        amended=[chart.amended[i] for i in kept],
        statements=statements,
        events={sid: [e for e in chart.events.get(sid, []) if e.date in shown] for sid in statements},
    )
