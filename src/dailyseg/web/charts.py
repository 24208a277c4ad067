"""The figures the firm page charts: requirement, funds, excess and target of each statement over time.

Answered in columns (one list of dates, one list of amounts per series) so the browser draws them
without reshaping; amounts stay strings, exact, like everywhere in the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dailyseg.catalogue import CATALOGUE
from dailyseg.store import Store

PARTS = ("requirement", "funds", "excess", "target")


def short_title(heading: str) -> str:
    """ "Daily Segregation - Secured Amounts" -> "Secured Amounts"."""
    return heading.split(" - ", 1)[-1]


def chart_codes() -> dict[str, dict[str, str]]:
    """For each statement, the code of each charted part, from the catalogue."""
    return {s.id: {part: str(getattr(s, part)) for part in PARTS} for s in CATALOGUE.statements}


def chart_data(store: Store, firm_id: str, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    codes = chart_codes()
    where = {code: (statement, part) for statement, parts in codes.items() for part, code in parts.items()}
    points = store.history(firm_id, list(where), start, end)
    days = sorted({p.end_date for p in points})
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, dict[str, list[str | None]]] = {s: {part: [None] * len(days) for part in PARTS} for s in codes}
    filing_ids = [0] * len(days)
    amended = [False] * len(days)
    for point in points:
        i = index[point.end_date]
        statement, part = where[point.code]
        series[statement][part][i] = str(point.value)
        filing_ids[i] = point.filing_id
        amended[i] = amended[i] or point.amended
    return {
        "firm_id": firm_id,
        "dates": [day.isoformat() for day in days],
        "filing_ids": filing_ids,
        "amended": amended,
        "statements": {
            s.id: {"title": short_title(s.heading), "codes": codes[s.id], "series": series[s.id]}
            for s in CATALOGUE.statements
            if any(v is not None for values in series[s.id].values() for v in values)
        },
    }
