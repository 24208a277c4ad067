"""The overview's totals added up the plain way, every firm's table summed afresh: what the running totals
(`store.totals.RunningTotals`) and the overview's figures are held to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from dailyseg.catalogue import key_of
from dailyseg.store.totals import RecordTotals
from dailyseg.store.types import HistoryColumns


def added_up(tables: Iterable[HistoryColumns], codes: Sequence[str]) -> RecordTotals:
    """The sums of `codes` over the firms' filings of record of each End Date, from each firm's columns as
    `Store.history_columns` reads them (one table per firm, read with `codes`): a firm counts on a day when its
    filing of record carries any of the codes."""
    wanted = list(dict.fromkeys(key_of(c) for c in codes))
    firms: dict[date, int] = {}
    sums: dict[date, list[int | None]] = {}
    for table in tables:
        for day, amounts in _counted_days(table, wanted):
            firms[day] = firms.get(day, 0) + 1
            row = sums.setdefault(day, [None] * len(wanted))
            for j, amount in enumerate(amounts):
                if amount is not None:
                    held = row[j]
                    row[j] = amount if held is None else held + amount
    days = sorted(firms)
    return RecordTotals(days, [firms[d] for d in days], {code: [sums[d][j] for d in days] for j, code in enumerate(wanted)})


def _counted_days(table: HistoryColumns, wanted: Sequence[str]) -> Iterator[tuple[date, list[int | None]]]:
    """Each End Date of the table a firm counts on (its filing of record carries
    any of `wanted`), with its amounts of `wanted` in that order."""
    columns = [table.cents.get(code) for code in wanted]
    for i in range(len(table.dates)):
        amounts = [None if column is None else column[i] for column in columns]
        if any(amount is not None for amount in amounts):
            yield table.dates[i], amounts
