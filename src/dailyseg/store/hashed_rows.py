"""Observations stored once each: rows known by the SHA-256 of their content, which importing again must skip.

The CFTC's tables and NFA's summaries are imported again and again (the same month in this year's and next
year's download); a row whose hash is stored, or met earlier in the same import, is not stored twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection

Item = TypeVar("Item")
# Hashes looked up per query: well under the bound parameters either database takes in one statement.
_HASHES_PER_QUERY = 5000


def not_stored(conn: Connection, column: Any, items: Sequence[Item], digest: Callable[[Item], str]) -> list[tuple[Item, str]]:
    """The items whose hash `column` does not hold yet, each once, with its hash, in the order given."""
    hashes = [digest(item) for item in items]
    seen = _stored(conn, column, hashes)
    fresh: list[tuple[Item, str]] = []
    for item, hashed in zip(items, hashes, strict=True):
        if hashed not in seen:
            seen.add(hashed)
            fresh.append((item, hashed))
    return fresh


def _stored(conn: Connection, column: Any, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = sorted(set(hashes))
    for start in range(0, len(unique), _HASHES_PER_QUERY):
        chunk = unique[start : start + _HASHES_PER_QUERY]
        found |= {str(h) for h in conn.execute(select(column).where(column.in_(chunk))).scalars()}
    return found
