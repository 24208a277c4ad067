"""Figures summed over every firm per End Date: what the overview's totals chart draws.

The totals are added up from each firm's own columns (`Store.history_columns`, the same read that draws a
firm's chart), so which version is of record is decided in one place (versions.py), and a server that keeps
each firm's columns per firm revision adds them up again after one firm's filing without reading the other
firms' values (web/routers/overview.py). An aggregate in SQL over every firm's values was kept beside this
for a while; it gave the same figures by a second route and was dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from dailyseg.catalogue import key_of
from dailyseg.store.types import HistoryColumns


@dataclass(frozen=True)
class RecordTotals:
    """Per End Date (in order): how many firms' filings of record carry any of the codes, and per code the
    sum of their integer cents (None where no firm's filing of record carries it)."""

    dates: list[date]
    firms: list[int]
    cents: dict[str, list[int | None]]


def added_up(tables: Iterable[HistoryColumns], codes: Sequence[str]) -> RecordTotals:
    """The sums of `codes` over the firms' filings of record of each End Date, from each firm's columns as
    `Store.history_columns` reads them (one table per firm, read with `codes`): a firm counts on a day when its
    filing of record carries any of the codes."""
    wanted = list(dict.fromkeys(key_of(c) for c in codes))
    firms: dict[date, int] = {}
    sums: dict[date, list[int | None]] = {}
    for table in tables:
        columns = [table.cents.get(code) for code in wanted]
        for i, day in enumerate(table.dates):
            amounts = [None if column is None else column[i] for column in columns]
            if all(amount is None for amount in amounts):
                continue
            firms[day] = firms.get(day, 0) + 1
            row = sums.setdefault(day, [None] * len(wanted))
            for j, amount in enumerate(amounts):
                if amount is not None:
                    held = row[j]
                    row[j] = amount if held is None else held + amount
    days = sorted(firms)
    return RecordTotals(days, [firms[d] for d in days], {code: [sums[d][j] for d in days] for j, code in enumerate(wanted)})
