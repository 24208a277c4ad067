"""Reading and writing filings' amounts in their packed form (packed.py): `filing_amounts` and `value_lines`.

A lines row's id is made from its text (`packed.lines_id`), so what a process has read of one can be kept
for as long as it runs, whatever else happens to the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from dailyseg.store.bulk import fetch_rows
from dailyseg.store.location import StoreError
from dailyseg.store.packed import Amount, Lines, lines_id
from dailyseg.store.tables import filing_amounts, value_lines

_PER_QUERY = 5000  # ids in one IN list, well under SQLite's limit on bound parameters


class DamagedAmounts(StoreError):
    """A filing's stored amounts that do not read (cents not one integer per line, lines not JSON): the store's
    file was changed outside dailyseg. `audit verify` reports such a filing as not matching its record."""


def read_lines(conn: Connection, ids: Iterable[int], kept: dict[int, Lines] | None = None) -> dict[int, Lines]:
    """The lines with these ids, from `kept` where they are there (and added to it when given)."""
    found = kept if kept is not None else {}
    missing = sorted({i for i in ids if i not in found})
    for at in range(0, len(missing), _PER_QUERY):
        chunk = missing[at : at + _PER_QUERY]
        for stored, text in fetch_rows(conn, select(value_lines.c.id, value_lines.c.lines).where(value_lines.c.id.in_(chunk))):
            if lines_id(str(text)) != int(stored):
                raise DamagedAmounts(f"the stored value lines {stored} were changed: their text is not the text of that id")
            try:
                found[int(stored)] = Lines.read(str(text))
            except (ValueError, TypeError) as error:
                raise DamagedAmounts(f"the stored value lines {stored} do not read: {error}") from None
    return found


def read_amounts(
    conn: Connection,
    filing_ids: Sequence[int],
    only: Collection[str] | None = None,
    kept: dict[int, Lines] | None = None,
    *,
    skip_damaged: bool = False,
) -> dict[int, list[Amount]]:
    """Each filing's (statement, code, cents, label) in its order (only the codes `only` names, when given);
    a filing with no stored amounts is left out. DamagedAmounts names a filing whose row does not read, or
    with `skip_damaged` that filing is left out too (what `audit verify` counts as a mismatch)."""
    rows: list[tuple[int, int, bytes]] = []
    unique = sorted(set(filing_ids))
    for at in range(0, len(unique), _PER_QUERY):
        chunk = unique[at : at + _PER_QUERY]
        query = select(filing_amounts.c.filing_id, filing_amounts.c.lines_id, filing_amounts.c.cents).where(
            filing_amounts.c.filing_id.in_(chunk)
        )
        rows.extend((int(f), int(lines), bytes(cents)) for f, lines, cents in fetch_rows(conn, query))
    try:
        lines = read_lines(conn, (row[1] for row in rows), kept)
    except DamagedAmounts:
        if not skip_damaged:
            raise
        lines = {}
        for lines_id in {row[1] for row in rows}:
            with contextlib.suppress(DamagedAmounts):
                lines |= read_lines(conn, [lines_id], kept)
    found: dict[int, list[Amount]] = {}
    for filing_id, lines_id, cents in rows:
        try:
            amounts = lines[lines_id].amounts(cents)
        except (KeyError, ValueError) as error:
            if skip_damaged:
                continue
            raise DamagedAmounts(f"the stored amounts of filing {filing_id} do not read: {error}") from None
        found[filing_id] = amounts if only is None else [a for a in amounts if a[1] in only]
    return found


def lines_ids(conn: Connection, texts: Collection[str]) -> dict[str, int]:
    """The id of each lines text (`packed.lines_id`), inserting the texts not stored yet in the caller's
    transaction (which holds the writers' lock, so no other writer inserts one meanwhile). A stored text of
    the same id that is not the same text is refused: a filing's amounts are never read through another's."""
    wanted = {lines_id(text): text for text in texts}
    stored = select(value_lines.c.id, value_lines.c.lines).where(value_lines.c.id.in_(list(wanted)))
    for found, text in fetch_rows(conn, stored):
        if wanted.pop(int(found)) != text:
            raise StoreError(f"two different value lines have the id {found}; the batch was not stored")
    if wanted:
        conn.execute(insert(value_lines), [{"id": i, "lines": text} for i, text in wanted.items()])
    return {text: lines_id(text) for text in texts}
