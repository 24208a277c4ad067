"""The figures the firm page charts: requirement, funds, excess and target of each statement over time.

Answered in columns (one list of dates, one list of amounts per series) so the browser draws them
without reshaping; amounts stay strings, exact, like everywhere in the API.
"""

from __future__ import annotations

from datetime import date

from dailyseg.catalogue import CATALOGUE
from dailyseg.money import cents_text
from dailyseg.shapes import ChartOut, ChartPart, ChartStatement
from dailyseg.store import Store

# The key lines a chart draws: every one the catalogue names except the excess over target, which is the
# distance between two drawn lines.
PARTS = tuple(k.id for k in CATALOGUE.key_lines if k.id != "excess_over_target")


def chart_codes() -> dict[str, dict[str, str]]:
    """For each statement, the code of each charted part, from the catalogue."""
    return {s.id: {part: s.key_refs[part] for part in PARTS} for s in CATALOGUE.statements}


def chart_data(store: Store, firm_id: str, start: date | None = None, end: date | None = None) -> ChartOut:
    codes = chart_codes()
    where = {code: (statement, part) for statement, parts in codes.items() for part, code in parts.items()}
    table = store.history_columns(firm_id, list(where), start, end)
    # Days whose filing of record carries none of the charted codes are left out, as a chart has nothing there.
    kept = [i for i in range(len(table.dates)) if any(column[i] is not None for column in table.cents.values())]
    series: dict[str, dict[str, list[str | None]]] = {s: {part: [] for part in PARTS} for s in codes}
    everyday = len(kept) == len(table.dates)
    for code, column in table.cents.items():
        statement, part = where[code]
        chosen = column if everyday else [column[i] for i in kept]
        series[statement][part] = [None if amount is None else cents_text(amount) for amount in chosen]
    return ChartOut(
        firm_id=firm_id,
        parts=[ChartPart(id=k.id, label=CATALOGUE.key_line_by_id[k.id].label) for k in CATALOGUE.key_lines if k.id in PARTS],
        dates=[table.dates[i].isoformat() for i in kept],
        filing_ids=[table.filing_ids[i] for i in kept],
        amended=[table.amended[i] for i in kept],
        statements={
            s.id: ChartStatement(title=s.name, codes=codes[s.id], series=series[s.id])
            for s in CATALOGUE.statements
            if any(v is not None for values in series[s.id].values() for v in values)
        },
    )
