"""The order of a day's versions, and which of them is the filing of record: one notion, `rank`.

Versions are never overwritten: every filing of a firm for one form and End Date is kept. They are ordered
by what they are, not by when the store received them, because filings do reach it out of order (an
amendment fetched before the original it corrects):

1. an INITIAL filing before an AMENDED one (an amendment replaces the original whenever it arrives),
2. then the earlier Submit Date first (no Submit Date counts as the earliest),
3. then the earlier arrival first: the filing id, which the store hands out in increasing order (it also
   orders versions stored under two names that an alias later joined).

The filing of record is the last version in that order, so the order and the record can never disagree.

Version numbers: "version n" of a day, wherever it is shown (`FilingVersion.version`, the CLI, the API,
the web pages, `diff`), is the position in that order, 1 to n. The stored `version` column counts
arrivals instead (`FilingVersion.arrival`); it is written once and never changed, as rows are never
updated. So when an earlier version arrives late (an INITIAL after its amendment) the numbers shown
shift: the INITIAL becomes version 1 and the amendment version 2. The filing id is the name that never
changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Protocol, TypeVar


class Ranked(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def submit_date(self) -> date | None: ...


R = TypeVar("R", bound=Ranked)
K = TypeVar("K", bound=Hashable)


def is_amendment(status: str) -> bool:
    return status.upper() == "AMENDED"


def rank(row: Ranked) -> tuple[bool, date, int]:
    """The sort key of the order above: versions sort by it, and the filing of record has the greatest."""
    return (is_amendment(row.status), row.submit_date or date.min, row.id)


def in_order(rows: Iterable[R]) -> list[R]:
    return sorted(rows, key=rank)


def grouped(rows: Iterable[R], group: Callable[[R], K]) -> dict[K, list[R]]:
    """Each group's versions in order (a group is one firm, form and End Date, or one End Date)."""
    found: dict[K, list[R]] = {}
    for row in rows:
        found.setdefault(group(row), []).append(row)
    return {key: in_order(members) for key, members in found.items()}


def records_by(rows: Iterable[R], group: Callable[[R], K]) -> dict[K, R]:
    """The filing of record of each group: the last of its versions in order."""
    best: dict[K, R] = {}
    for row in rows:
        key = group(row)
        held = best.get(key)
        if held is None or rank(row) > rank(held):
            best[key] = row
    return best
