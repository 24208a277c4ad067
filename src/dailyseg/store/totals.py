"""Figures summed over every firm per End Date: what the overview's totals chart draws.

The totals are added up from each firm's own columns (`Store.history_columns`, the same read that draws a
firm's chart), so which version is of record is decided in one place (versions.py), and a server that keeps
each firm's columns per firm revision adds them up again after one firm's filing without reading the other
firms' values (web/routers/overview.py). An aggregate in SQL over every firm's values was kept beside this
for a while; it gave the same figures by a second route and was dropped.

Adding every firm's table up again after each filing took a server half a second of Python at sixty firms'
ten years. `RunningTotals` keeps the sums instead and, when a firm's revision moves, takes out the days of its
old table that its new one changed and adds the new ones; the sums are integer cents, so taking out is exact,
and the totals equal every table added up afresh (tests/store/test_running_totals.py, against a plain sum).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import add, sub
from typing import Generic, TypeVar

from dailyseg.catalogue import key_of
from dailyseg.store.types import HistoryColumns


@dataclass(frozen=True)
class RecordTotals:
    """Per End Date (in order): how many firms' filings of record carry any of the codes, and per code the
    sum of their integer cents (None where no firm's filing of record carries it)."""

    dates: list[date]
    firms: list[int]
    cents: dict[str, list[int | None]]


K = TypeVar("K", bound=Hashable)


class RunningTotals(Generic[K]):
    """The firms' tables added up, kept from one call to the next: each firm's table is held with the key
    it was read at (its revision), and only a firm whose key moved, or that is new or gone, is taken out and
    added again. Per day it keeps the firms counted and, per code, the sum and how many firms carry it (a sum
    that no firm carries any more is None again, as where none ever did). One lock: a server's threads share it.
    """

    def __init__(self, codes: Sequence[str]) -> None:
        self._wanted = _wanted(codes)
        self._held: dict[str, tuple[K, HistoryColumns]] = {}
        self._firms: dict[date, int] = {}
        self._sums: dict[date, list[int]] = {}
        self._carried: dict[date, list[int]] = {}
        self._lock = threading.Lock()

    def now(self, firms: Mapping[str, K], table_of: Callable[[str, tuple[K, HistoryColumns] | None], HistoryColumns]) -> RecordTotals:
        """The totals over `firms` (each firm id with its key), reading with `table_of` only the tables of the
        firms not held at that key; it is given the firm's table held before with its key (None for a firm not
        held), from which a firm's new table may be read in part (`Store.history_columns_since`). A read that
        fails leaves the totals as they were: nothing is taken out before its replacement is read."""
        with self._lock:
            for firm_id in [f for f in self._held if f not in firms]:
                self._count(self._held.pop(firm_id)[1], -1, 0)
            for firm_id, key in firms.items():
                held = self._held.get(firm_id)
                if held is not None and held[0] == key:
                    continue
                table = table_of(firm_id, held)
                kept = 0  # the first days the firm's old and new tables agree on stay counted as they are
                if held is not None:
                    kept = _agreeing(held[1], table, self._wanted)
                    self._count(held[1], -1, kept)
                self._count(table, 1, kept)
                self._held[firm_id] = (key, table)
            days = sorted(self._firms)
            cents = {code: [self._sums[d][j] if self._carried[d][j] else None for d in days] for j, code in enumerate(self._wanted)}
            return RecordTotals(days, [self._firms[d] for d in days], cents)

    def _count(self, table: HistoryColumns, sign: int, first: int) -> None:
        """Add (`sign` 1) or take out (-1) one firm's table from its day `first` on; a day no firm counts on
        any more is dropped. A day that carries every code (the usual one) is added in C (`map`), not a
        step a code: the first totals of a process add up every firm's years."""
        width = len(self._wanted)
        step, each = (add if sign > 0 else sub), [sign] * width
        columns = [_column(table, code)[first:] for code in self._wanted]
        for day, amounts in zip(table.dates[first:], zip(*columns, strict=True), strict=False):  # no codes: no day
            missing = amounts.count(None)
            if missing == width:
                continue
            firms = self._firms.get(day, 0) + sign
            if firms == 0:
                del self._firms[day], self._sums[day], self._carried[day]
                continue
            self._firms[day] = firms
            sums, carried = self._sums.setdefault(day, [0] * width), self._carried.setdefault(day, [0] * width)
            if not missing:
                sums[:] = map(step, sums, amounts)
                carried[:] = map(add, carried, each)
                continue
            for j, amount in enumerate(amounts):
                if amount is not None:
                    sums[j] += sign * amount
                    carried[j] += sign


def _wanted(codes: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(key_of(c) for c in codes))


def _agreeing(old: HistoryColumns, new: HistoryColumns, wanted: Sequence[str]) -> int:
    """How many first days two tables of a firm agree on (End Dates and the cents of `wanted`): what its new
    filing left as it was, all but the last day after an amendment of the latest. Searched back from the
    end by doubling, then halving; each try compares list slices (in C), not days one by one."""

    def same(days: int) -> bool:
        return old.dates[:days] == new.dates[:days] and all(_column(old, c)[:days] == _column(new, c)[:days] for c in wanted)

    top = min(len(old.dates), len(new.dates))
    if same(top):
        return top
    differs, back = top, 1
    agrees = max(top - back, 0)
    while not same(agrees):  # no day at all always agrees
        differs, back = agrees, back * 2
        agrees = max(top - back, 0)
    while differs - agrees > 1:
        middle = (agrees + differs) // 2
        agrees, differs = (middle, differs) if same(middle) else (agrees, middle)
    return agrees


def _column(table: HistoryColumns, code: str) -> list[int | None]:
    """The code's cents by day; a code the table does not carry is None every day."""
    return table.cents.get(code) or [None] * len(table.dates)
