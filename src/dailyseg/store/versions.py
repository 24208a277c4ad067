"""Which version of a day is the filing of record.

Versions are never overwritten. The filing of record for a firm, form and End Date is the latest
accepted version, ranked by: an AMENDED filing over an INITIAL one (an amendment replaces the original
even when it reaches the store first), then the later Submit Date, then the later arrival in the store
(the version number). Out-of-order arrival therefore cannot demote an amendment.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Protocol, TypeVar


class Ranked(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def submit_date(self) -> date | None: ...
    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=Ranked)
K = TypeVar("K", bound=Hashable)


def rank(row: Ranked) -> tuple[bool, date, int]:
    return (row.status.upper() == "AMENDED", row.submit_date or date.min, row.version)


def records_by(rows: Iterable[R], group: Callable[[R], K]) -> dict[K, R]:
    """The filing of record of each group (a group is one firm, form and End Date, or one End Date)."""
    best: dict[K, R] = {}
    for row in rows:
        key = group(row)
        held = best.get(key)
        if held is None or rank(row) > rank(held):
            best[key] = row
    return best
