"""Answers kept while the store is unchanged: chart data, the firms list with its status.

A firm's ten years of figures, or every firm's status (every rule over each firm's recent filings), take the
store a second or more to gather; the answer is the same until a filing is stored or two names are joined,
which `Store.revision` (two small queries) notices, whichever process did it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from fastapi import Request

from dailyseg.store import Store
from dailyseg.watch.status import FirmStatus, firm_status, firm_statuses
from dailyseg.web.charts import chart_data

T = TypeVar("T")


class RevisionCache:
    """The most recently used answers by key, each with the store revision it was computed at."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, tuple[tuple[int, int], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: Store, key: Hashable, make: Callable[[], T]) -> T:
        """The answer for `key`, made again only when the store has changed since it was made."""
        revision = store.revision()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == revision:
                self._kept.move_to_end(key)
                answer: T = kept[1]
                return answer
        made = make()
        with self._lock:
            self._kept[key] = (revision, made)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return made


def answers(request: Request) -> RevisionCache:
    cache: RevisionCache = request.app.state.answers
    return cache


def firms_now(request: Request, store: Store, as_of: date | None = None) -> list[FirmStatus]:
    """Every firm's status, worst first (`watch.status.firm_statuses`), kept while the store is unchanged."""
    return answers(request).get(store, ("firms", as_of), lambda: firm_statuses(store, as_of))


def firm_now(request: Request, store: Store, firm: str, as_of: date | None = None) -> FirmStatus | None:
    """One firm's status, by id or any name it filed under, kept while the store is unchanged."""
    firm_id = store.resolve(firm)
    if firm_id is None:
        return None
    return answers(request).get(store, ("firm", firm_id, as_of), lambda: firm_status(store, firm_id, as_of))


def chart_now(request: Request, store: Store, firm_id: str, start: date | None, end: date | None) -> bytes:
    """The chart data of a firm and range as JSON bytes, kept while the store is unchanged."""
    return answers(request).get(
        store, ("chart", firm_id, start, end), lambda: chart_data(store, firm_id, start, end).model_dump_json().encode("utf-8")
    )
