"""Figures summed over every firm per End Date, in SQL: what the overview's totals chart draws.

Adding every firm's history up in Python reads each value row back through the driver; one aggregate
returns a row per End Date instead. Only filings of record count, and which version is of record is
decided when reading (versions.py), not stored, so the aggregate sums every version and then takes off
the versions that are not of record. Those are only found on the days a firm stored more than one version
(amendments), which one grouped query lists; their few versions are read and ranked as everywhere else.

`added_up` gives the same figures from each firm's own columns (`Store.history_columns`): a server that
keeps those per firm adds them up again after one firm's filing without reading the other firms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.engine import Connection

from dailyseg.catalogue import key_of
from dailyseg.store.tables import aliases, filing_values, filings
from dailyseg.store.types import HistoryColumns
from dailyseg.store.versions import records_by

# Filing ids, or (firm, End Date) pairs, sent in one IN list: well under SQLite's limit on bound parameters.
_PER_QUERY = 5000


@dataclass(frozen=True)
class RecordTotals:
    """Per End Date (in order): how many firms' filings of record carry any of the codes, and per code the
    sum of their integer cents (None where no firm's filing of record carries it)."""

    dates: list[date]
    firms: list[int]
    cents: dict[str, list[int | None]]


def _per_filing(codes: Sequence[str]) -> Any:
    """One row per filing carrying any of `codes`: its id and, per code, its cents (NULL when it lacks it)."""
    return (
        select(
            filing_values.c.filing_id,
            *(func.sum(case((filing_values.c.code == code, filing_values.c.cents))).label(f"c{i}") for i, code in enumerate(codes)),
        )
        .where(filing_values.c.code.in_(codes))
        .group_by(filing_values.c.filing_id)
    )


def _not_of_record(conn: Connection) -> list[int]:
    """The ids of the versions that are not their firm's filing of record for their End Date."""
    firm_day = tuple_(aliases.c.firm_id, filings.c.end_date)
    crowded = (
        select(aliases.c.firm_id, filings.c.end_date)
        .join(aliases, aliases.c.name_key == filings.c.name_key)
        .group_by(aliases.c.firm_id, filings.c.end_date)
        .having(func.count() > 1)
    )
    days = [tuple(row) for row in conn.execute(crowded)]
    if not days:
        return []
    heads = select(filings.c.id, aliases.c.firm_id, filings.c.end_date, filings.c.status, filings.c.submit_date).join(
        aliases, aliases.c.name_key == filings.c.name_key
    )
    listed = [
        row
        for start in range(0, len(days), _PER_QUERY)
        for row in conn.execute(heads.where(firm_day.in_(days[start : start + _PER_QUERY])))
    ]
    record = {row.id for row in records_by(listed, lambda r: (r.firm_id, r.end_date)).values()}
    return [row.id for row in listed if row.id not in record]


class _Day:
    """One End Date's running figures: filings counted, and per code the cents and how many filings carry it."""

    def __init__(self, filings: int, cents: Sequence[Any], carrying: Sequence[Any]) -> None:
        self.filings = int(filings)
        self.cents = [int(c or 0) for c in cents]
        self.carrying = [int(n) for n in carrying]

    def take_off(self, cents: Sequence[Any]) -> None:
        """Remove one filing (a version not of record) with its cents per code (None where it lacks the code)."""
        self.filings -= 1
        for i, amount in enumerate(cents):
            if amount is not None:
                self.cents[i] -= int(amount)
                self.carrying[i] -= 1


def record_totals(conn: Connection, codes: Sequence[str]) -> RecordTotals:
    """The sums of `codes` over every firm's filing of record of each End Date (one aggregate over the values,
    less the versions not of record)."""
    wanted = list(dict.fromkeys(key_of(c) for c in codes))
    if not wanted:
        return RecordTotals([], [], {})
    per_filing = _per_filing(wanted).subquery()
    columns = [per_filing.c[f"c{i}"] for i in range(len(wanted))]
    query = (
        select(filings.c.end_date, func.count(), *(func.sum(c) for c in columns), *(func.count(c) for c in columns))
        .join(per_filing, per_filing.c.filing_id == filings.c.id)
        .group_by(filings.c.end_date)
    )
    width = len(wanted)
    by_day = {row[0]: _Day(row[1], row[2 : 2 + width], row[2 + width :]) for row in conn.execute(query)}
    extra = _not_of_record(conn)
    for start in range(0, len(extra), _PER_QUERY):
        chunk = _per_filing(wanted).where(filing_values.c.filing_id.in_(extra[start : start + _PER_QUERY])).subquery()
        for end_date, *amounts in conn.execute(
            select(filings.c.end_date, *list(chunk.c)[1:]).join(chunk, chunk.c.filing_id == filings.c.id)
        ):
            by_day[end_date].take_off(amounts)
    days = sorted(day for day, figures in by_day.items() if figures.filings > 0)
    return RecordTotals(
        days,
        [by_day[day].filings for day in days],
        {code: [by_day[d].cents[i] if by_day[d].carrying[i] else None for d in days] for i, code in enumerate(wanted)},
    )


def added_up(tables: Iterable[HistoryColumns], codes: Sequence[str]) -> RecordTotals:
    """`record_totals` from each firm's filings of record as `Store.history_columns` reads them (one table per
    firm, read with `codes`): a firm counts on a day when its filing of record carries any of the codes."""
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
