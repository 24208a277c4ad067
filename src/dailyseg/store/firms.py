"""A firm is known to the store from the first time it meets one of its names: a filing stored, a close
drafted, a month-end row or an NFA summary imported. Each records the name's key in the alias table with the
firm id the key gives, unless the key is already there (joined to another firm, perhaps), so every command
that names a firm finds it the same way (`Store.resolve`), whichever of these came first.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from dailyseg.store.identity import firm_id_of
from dailyseg.store.tables import aliases


def ensure_aliases(conn: Connection, keys: Iterable[str]) -> None:
    """Record a new firm (id from the key) for each name key the store has not seen (one query)."""
    wanted = set(keys)
    if not wanted:
        return
    known = set(conn.execute(select(aliases.c.name_key).where(aliases.c.name_key.in_(sorted(wanted)))).scalars())
    new = sorted(wanted - known)
    if new:
        conn.execute(insert(aliases), [{"name_key": key, "firm_id": firm_id_of(key)} for key in new])
