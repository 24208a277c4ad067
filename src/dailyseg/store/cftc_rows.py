"""The CFTC's monthly FCM table as the store keeps it: one row per firm and month end, values in long form.

Reading the table (its headers, footnote marks, title date) is `dailyseg.watch.cftc`'s business; this
module is only what touches the database, so that nothing outside `dailyseg.store` runs SQL on its tables.
A row is stored once: its hash covers the firm (by name key), the As of Date, every value and every
word column, so importing the same table twice stores nothing new, while a corrected figure makes a new row.
The hash must stay as it is, or rows stored before would be stored again: so the yes/no columns of older
tables ("B/D?") and the text columns no field stands for enter it only when a row has them. A row with
such a text column stored before migration 0002 kept no words, so importing its table again stores it once
more, with its words; `month_ends` reads the later row, whose amounts are the same.

Amounts go to `cftc_values` (integer cents), words to `cftc_texts`: a yes/no flag as "Y" or "N" under
`FLAG` + its field, a column no field stands for under its own field ("other:" and its header's words).
Every reader of `cftc_values` therefore sees amounts only.
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

from dailyseg.money import from_cents, to_cents
from dailyseg.store.bulk import insert_rows
from dailyseg.store.hashed_rows import not_stored
from dailyseg.store.identity import name_key
from dailyseg.store.tables import aliases, cftc_rows, cftc_texts, cftc_values

_VALUE_COLUMNS = ("row_id", "field", "cents")
_TEXT_COLUMNS = ("row_id", "field", "text")
FLAG = "flag:"
_YES, _NO = "Y", "N"


class MonthEndRow(Protocol):
    """One firm's row of the table, as read (`dailyseg.watch.cftc.CftcRow` is one)."""

    @property
    def firm(self) -> str: ...
    @property
    def registered_as(self) -> str: ...
    @property
    def dsro(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def values(self) -> Mapping[str, Decimal]: ...
    @property
    def flags(self) -> Mapping[str, bool]: ...
    @property
    def texts(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class StoredRow:
    """A stored row's own words and flags, for a reader that wants more than the amounts."""

    as_of: date
    firm_name: str
    registered_as: str
    dsro: str
    flags: dict[str, bool]
    values: dict[str, Decimal]
    texts: dict[str, str]
    source: str


def row_hash(row: MonthEndRow) -> str:
    flags = [f"{FLAG}{k}={int(v)}" for k, v in sorted(row.flags.items())]
    content = "|".join([name_key(row.firm), row.as_of.isoformat(), *(f"{k}={v}" for k, v in sorted(row.values.items())), *flags])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def insert_new(conn: Connection, rows: Sequence[MonthEndRow], source: str, now: datetime) -> tuple[int, int]:
    """Insert the rows not stored before (a row repeated in `rows` counts once): (stored, already present).

    The firms' aliases must exist already (the store records them in the same transaction).
    """
    fresh = not_stored(conn, cftc_rows.c.row_hash, rows, row_hash)
    if fresh:
        records = [
            {
                "name_key": name_key(row.firm),
                "firm_name": row.firm,
                "as_of": row.as_of,
                "registered_as": row.registered_as,
                "dsro": row.dsro,
                "row_hash": digest,
                "source": source,
                "imported_at": now,
            }
            for row, digest in fresh
        ]
        ids = [int(i) for i in conn.execute(insert(cftc_rows).returning(cftc_rows.c.id, sort_by_parameter_order=True), records).scalars()]
        placed = list(zip(ids, (row for row, _ in fresh), strict=True))
        values = [(row_id, k, to_cents(v)) for row_id, row in placed for k, v in row.values.items()]
        texts = [(row_id, f"{FLAG}{k}", _YES if v else _NO) for row_id, row in placed for k, v in row.flags.items()]
        texts += [(row_id, k, v) for row_id, row in placed for k, v in row.texts.items()]
        insert_rows(conn, cftc_values, _VALUE_COLUMNS, values)
        insert_rows(conn, cftc_texts, _TEXT_COLUMNS, texts)
    return len(fresh), len(rows) - len(fresh)


def month_ends(conn: Connection, firm_id: str) -> list[tuple[date, dict[str, Decimal]]]:
    """A firm's month-end values by date; where two rows give one month end, the one stored later wins."""
    query = (
        select(cftc_rows.c.as_of, cftc_values.c.field, cftc_values.c.cents)
        .join(cftc_values, cftc_values.c.row_id == cftc_rows.c.id)
        .join(aliases, aliases.c.name_key == cftc_rows.c.name_key)
        .where(aliases.c.firm_id == firm_id)
        .order_by(cftc_rows.c.as_of, cftc_rows.c.id)
    )
    observed: dict[date, dict[str, Decimal]] = {}
    for as_of, field, cents in conn.execute(query):
        observed.setdefault(as_of, {})[field] = from_cents(int(cents))
    return sorted(observed.items())


def stored_rows(conn: Connection, firm_id: str) -> list[StoredRow]:
    """Every stored row of a firm, oldest as-of date first (then in the order stored), with its texts and flags."""
    query = (
        select(cftc_rows.c.id, cftc_rows.c.as_of, cftc_rows.c.firm_name, cftc_rows.c.registered_as, cftc_rows.c.dsro, cftc_rows.c.source)
        .join(aliases, aliases.c.name_key == cftc_rows.c.name_key)
        .where(aliases.c.firm_id == firm_id)
        .order_by(cftc_rows.c.as_of, cftc_rows.c.id)
    )
    rows = {int(i): StoredRow(d, str(n), str(r), str(s), {}, {}, {}, str(f)) for i, d, n, r, s, f in conn.execute(query)}
    if rows:
        ids = sorted(rows)
        for row_id, field, cents in conn.execute(
            select(cftc_values.c.row_id, cftc_values.c.field, cftc_values.c.cents).where(cftc_values.c.row_id.in_(ids))
        ):
            rows[int(row_id)].values[str(field)] = from_cents(int(cents))
        for row_id, field, text in conn.execute(
            select(cftc_texts.c.row_id, cftc_texts.c.field, cftc_texts.c.text).where(cftc_texts.c.row_id.in_(ids))
        ):
            row, name = rows[int(row_id)], str(field)
            if name.startswith(FLAG):
                row.flags[name.removeprefix(FLAG)] = text == _YES
            else:
                row.texts[name] = str(text)
    return list(rows.values())
