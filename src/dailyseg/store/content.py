"""A stored filing rebuilt from its rows, and the content hash of what the rows hold now.

The history store (`filings`, `filing_amounts`) and the daily close (`closes`, `close_values`) keep a filing
alike: a head row (firm, form, End Date, status, Submit Date, layout, statements, cover page) and its amounts
in integer cents, packed in one row for a stored filing (packed.py) and one row per amount for a close (a
firm's few closes are not worth packing). Rebuilding the `Filing` and hashing it as ingest does
(`content_hash.content_hash`) tells whether the rows still hold what was recorded: `audit verify` relies on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from dailyseg.filing import Entry, Filing, Header
from dailyseg.money import from_cents
from dailyseg.serial import cover_from_dict
from dailyseg.store.content_hash import content_hash
from dailyseg.store.packed import Amount
from dailyseg.store.tables import close_values

# What reads the amounts of heads by id: {id: [(statement, code, cents, label), ...]}.
AmountsReader = Callable[[Connection, Sequence[int]], dict[int, list[Amount]]]

_CHUNK = 5000  # ids per IN list, well under SQLite's limit on bound parameters


def rebuilt(head: Any, values: Iterable[tuple[str, str, int, str]]) -> Filing:
    """The filing of a head row and its (statement, code, cents, label) rows."""
    header = Header(head.status, head.end_date, head.firm_name, head.form, head.submit_date)
    cover = cover_from_dict(json.loads(head.cover)) if head.cover else None
    statements = tuple(s for s in str(head.statements).split(",") if s)
    entries = tuple(Entry(statement, code, from_cents(int(cents)), label) for statement, code, cents, label in values)
    return Filing(header, head.layout, entries, cover, statements)


def long_amounts(values: Table, key: str) -> AmountsReader:
    """The reader of amounts kept one row each in `values` (`key`: its column naming the head)."""

    def read(conn: Connection, ids: Sequence[int]) -> dict[int, list[Amount]]:
        rows: dict[int, list[Amount]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(values.c[key], values.c.statement, values.c.code, values.c.cents, values.c.label).where(values.c[key].in_(chunk))
            for owner, statement, code, cents, label in conn.execute(query):
                rows.setdefault(int(owner), []).append((statement, code, int(cents), label))
        return rows

    return read


CLOSE_AMOUNTS = long_amounts(close_values, "close_id")


def stored_filings(conn: Connection, heads: Table, amounts: AmountsReader, ids: Sequence[int]) -> dict[int, Filing]:
    """The filings with these ids as their rows hold them now."""
    found: dict[int, Filing] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = amounts(conn, chunk)
        for head in conn.execute(select(heads).where(heads.c.id.in_(chunk))):
            found[int(head.id)] = rebuilt(head, rows.get(int(head.id), []))
    return found


def stored_hashes(conn: Connection, heads: Table, amounts: AmountsReader, ids: Sequence[int]) -> dict[int, str]:
    """The content hash of what each filing's rows hold now; ids with no head row are left out."""
    return {i: content_hash(filing) for i, filing in stored_filings(conn, heads, amounts, ids).items()}
