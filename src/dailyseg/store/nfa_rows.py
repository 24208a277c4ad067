"""NFA's public FCM summaries as the store keeps them: one row per firm, pool and as-of date, figures in long form.

Reading the pages is `dailyseg.watch.nfa`'s business; this module is only what touches the database. A
summary is stored once: its hash covers the firm (by name key), its NFA ID, the pool, the as-of date, every
amount and every percentage, so importing the same file twice stores nothing new, while a corrected figure
makes a new row (the one stored later is the one readers see first for that day and pool). Amounts are
integer cents in `nfa_values`; percentages are integer hundredths of a percent in `nfa_shares` (45.25% is
4525), exact for the two decimals NFA prints at most.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from dailyseg.money import canonical, from_cents, to_cents
from dailyseg.store.bulk import insert_rows
from dailyseg.store.hashed_rows import not_stored
from dailyseg.store.identity import name_key
from dailyseg.store.tables import aliases, nfa_rows, nfa_shares, nfa_values

_VALUE_COLUMNS = ("row_id", "field", "cents")
_SHARE_COLUMNS = ("row_id", "breakdown", "label", "hundredths")
_HUNDREDTH = Decimal("0.01")


class Summary(Protocol):
    """One summary as read (`dailyseg.watch.nfa.NfaSummary` is one)."""

    @property
    def firm(self) -> str: ...
    @property
    def nfa_id(self) -> str: ...
    @property
    def pool(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def line(self) -> int: ...
    @property
    def values(self) -> Mapping[str, Decimal]: ...
    @property
    def shares(self) -> Mapping[str, Mapping[str, Decimal]]: ...


@dataclass(frozen=True)
class StoredSummary:
    """A stored summary with the file it came from, amounts and percentages exact again."""

    as_of: date
    firm_name: str
    nfa_id: str
    pool: str
    source: str
    values: dict[str, Decimal]
    shares: dict[str, dict[str, Decimal]]


def to_hundredths(percent: Decimal) -> int:
    """45.25 -> 4525; refuses to round a finer percentage (the reader reports those as problems first)."""
    if percent != percent.quantize(_HUNDREDTH):
        raise ValueError(f"{percent}% is finer than a hundredth of a percent")
    return int(percent * 100)


def from_hundredths(hundredths: int) -> Decimal:
    return canonical(Decimal(hundredths) / 100)


def row_hash(summary: Summary) -> str:
    values = (f"{k}={v}" for k, v in sorted(summary.values.items()))
    shares = (f"{b}:{label!r}={to_hundredths(p)}" for b, named in sorted(summary.shares.items()) for label, p in sorted(named.items()))
    content = "|".join([name_key(summary.firm), summary.nfa_id, summary.pool, summary.as_of.isoformat(), *values, *shares])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def insert_new(conn: Connection, summaries: Sequence[Summary], source: str, now: datetime) -> tuple[int, int]:
    """Insert the summaries not stored before (one repeated counts once): (stored, already present).

    The firms' aliases must exist already (the store records them in the same transaction).
    """
    fresh = not_stored(conn, nfa_rows.c.row_hash, summaries, row_hash)
    if fresh:
        records = [
            {
                "name_key": name_key(s.firm),
                "firm_name": s.firm,
                "nfa_id": s.nfa_id,
                "pool": s.pool,
                "as_of": s.as_of,
                "line": s.line,
                "row_hash": digest,
                "source": source,
                "imported_at": now,
            }
            for s, digest in fresh
        ]
        ids = [int(i) for i in conn.execute(insert(nfa_rows).returning(nfa_rows.c.id, sort_by_parameter_order=True), records).scalars()]
        placed = list(zip(ids, (s for s, _ in fresh), strict=True))
        values = [(row_id, k, to_cents(v)) for row_id, s in placed for k, v in s.values.items()]
        shares = [
            (row_id, b, label, to_hundredths(p)) for row_id, s in placed for b, named in s.shares.items() for label, p in named.items()
        ]
        insert_rows(conn, nfa_values, _VALUE_COLUMNS, values)
        insert_rows(conn, nfa_shares, _SHARE_COLUMNS, shares)
    return len(fresh), len(summaries) - len(fresh)


def stored_summaries(conn: Connection, firm_id: str) -> list[StoredSummary]:
    """Every stored summary of a firm, oldest as-of date first, then by pool, then in the order stored."""
    query = (
        select(nfa_rows.c.id, nfa_rows.c.as_of, nfa_rows.c.firm_name, nfa_rows.c.nfa_id, nfa_rows.c.pool, nfa_rows.c.source)
        .join(aliases, aliases.c.name_key == nfa_rows.c.name_key)
        .where(aliases.c.firm_id == firm_id)
        .order_by(nfa_rows.c.as_of, nfa_rows.c.pool, nfa_rows.c.id)
    )
    rows = {int(i): StoredSummary(d, str(n), str(k), str(p), str(f), {}, {}) for i, d, n, k, p, f in conn.execute(query)}
    if rows:
        ids = sorted(rows)
        for row_id, field, cents in conn.execute(
            select(nfa_values.c.row_id, nfa_values.c.field, nfa_values.c.cents).where(nfa_values.c.row_id.in_(ids))
        ):
            rows[int(row_id)].values[str(field)] = from_cents(int(cents))
        shares = select(nfa_shares.c.row_id, nfa_shares.c.breakdown, nfa_shares.c.label, nfa_shares.c.hundredths).where(
            nfa_shares.c.row_id.in_(ids)
        )
        for row_id, breakdown, label, hundredths in conn.execute(
            shares.order_by(nfa_shares.c.row_id, nfa_shares.c.breakdown, nfa_shares.c.label)
        ):
            rows[int(row_id)].shares.setdefault(str(breakdown), {})[str(label)] = from_hundredths(int(hundredths))
    return list(rows.values())
