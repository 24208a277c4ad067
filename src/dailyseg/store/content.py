"""A stored filing rebuilt from its rows, and the content hash of what the rows hold now.

The history store (`filings`, `filing_values`) and the daily close (`closes`, `close_values`) keep a filing
the same way: a head row (firm, form, End Date, status, Submit Date, layout, statements, cover page) and
one row per amount in integer cents. Rebuilding the `Filing` and hashing it as ingest does
(`content_hash.content_hash`) tells whether the rows still hold what was recorded: `audit verify` relies on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from dailyseg.filing import Entry, Filing, Header
from dailyseg.money import from_cents
from dailyseg.serial import cover_from_dict
from dailyseg.store.content_hash import content_hash

_CHUNK = 5000  # ids per IN list, well under SQLite's limit on bound parameters


def rebuilt(head: Any, values: Iterable[tuple[str, str, int, str]]) -> Filing:
    """The filing of a head row and its (statement, code, cents, label) rows."""
    header = Header(head.status, head.end_date, head.firm_name, head.form, head.submit_date)
    cover = cover_from_dict(json.loads(head.cover)) if head.cover else None
    statements = tuple(s for s in str(head.statements).split(",") if s)
    entries = tuple(Entry(statement, code, from_cents(int(cents)), label) for statement, code, cents, label in values)
    return Filing(header, head.layout, entries, cover, statements)


def stored_filings(conn: Connection, heads: Table, values: Table, key: str, ids: Sequence[int]) -> dict[int, Filing]:
    """The filings with these ids as their rows hold them now (`key`: the values' column naming the head)."""
    found: dict[int, Filing] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows: dict[int, list[tuple[str, str, int, str]]] = {i: [] for i in chunk}
        amounts = select(values.c[key], values.c.statement, values.c.code, values.c.cents, values.c.label).where(values.c[key].in_(chunk))
        for owner, statement, code, cents, label in conn.execute(amounts):
            rows[int(owner)].append((statement, code, int(cents), label))
        for head in conn.execute(select(heads).where(heads.c.id.in_(chunk))):
            found[int(head.id)] = rebuilt(head, rows[int(head.id)])
    return found


def stored_hashes(conn: Connection, heads: Table, values: Table, key: str, ids: Sequence[int]) -> dict[int, str]:
    """The content hash of what each filing's rows hold now; ids with no head row are left out."""
    return {i: content_hash(filing) for i, filing in stored_filings(conn, heads, values, key, ids).items()}
