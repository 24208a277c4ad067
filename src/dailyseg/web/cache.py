"""Answers kept while the store is unchanged: chart data, the firms list with its status.

A firm's ten years of figures, or every firm's status (every rule over each firm's recent filings), take the
store a second or more to gather; the answer is the same until a filing is stored or two names are joined,
which `Store.revision` (two small queries) notices, whichever process did it.

What concerns one firm (its status, its chart data, its days, its part of the overview's feed) is kept
against that firm's revision (`Store.firm_revision`) instead, so storing one firm's filing makes only that
firm's answers again. A firm's status also depends on the day it is judged at (the latest End Date in the
store, which another firm's filing can move), so that day is part of its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from fastapi import Request

from dailyseg.store import Store
from dailyseg.watch.monitor import as_of_date
from dailyseg.watch.status import FirmStatus, by_worst_finding, firm_status
from dailyseg.web.charts import chart_data
from dailyseg.web.overview_view import WatchedFirm, watched_firm

T = TypeVar("T")


class RevisionCache:
    """The most recently used answers by key, each with the store revision it was computed at.

    An answer missing is made once: requests that ask for it while it is being made (sixteen at a time
    after a filing, say) wait for that one instead of each making it again on the same cores.
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, tuple[tuple[int, int], Any]] = OrderedDict()
        self._making: dict[tuple[Hashable, tuple[int, int]], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, revision: tuple[int, int], key: Hashable, make: Callable[[], T]) -> T:
        """The answer for `key`, made again only when `revision` (of the store, or of a firm) differs from the kept one's."""
        while True:
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None and kept[0] == revision:
                    self._kept.move_to_end(key)
                    answer: T = kept[1]
                    return answer
                making = self._making.get((key, revision))
                if making is None:
                    making = self._making[key, revision] = threading.Event()
                    break
            making.wait()  # then kept, unless making it failed or it was pushed out: ask again
        try:
            made = make()
            with self._lock:
                self._kept[key] = (revision, made)
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            return made
        finally:
            with self._lock:
                del self._making[key, revision]
            making.set()


class RequestAnswers:
    """The application's answers as one request sees them: each revision (the store's, a firm's) is read once.

    A page asks the cache several times (a firm's status, its days, its history page), each against the same
    firm's revision; reading it once per request gives every part of the answer the same reading of the
    store, for two queries instead of two per part. A route that stores something and then reads answers
    must do so in a new request (as the pages do, redirecting after a post).
    """

    def __init__(self, cache: RevisionCache) -> None:
        self._cache = cache
        self._revisions: dict[str | None, tuple[int, int]] = {}

    def get(self, store: Store, key: Hashable, make: Callable[[], T], *, firm: str | None = None) -> T:
        """The answer for `key`, made again only when the store (or, given `firm`, that firm) has changed since."""
        revision = self._revisions.get(firm)
        if revision is None:
            revision = self._revisions[firm] = store.firm_revision(firm) if firm is not None else store.revision()
        return self._cache.get(revision, key, make)


def answers(request: Request) -> RequestAnswers:
    """This request's view of the application's answers (made on first use)."""
    found = getattr(request.state, "answers", None)
    if not isinstance(found, RequestAnswers):
        cache: RevisionCache = request.app.state.answers
        found = request.state.answers = RequestAnswers(cache)
    return found


def firms_now(request: Request, store: Store, as_of: date | None = None) -> list[FirmStatus]:
    """Every firm's status, worst first (as `watch.status.firm_statuses` lists them), kept while the store is
    unchanged; when it changed, only the firms whose revision moved are judged again."""
    kept = answers(request)

    def judged() -> list[FirmStatus]:
        day = _judged_at(kept, store, as_of)
        return by_worst_finding(s for s in (_status(kept, store, firm_id, day) for firm_id in store.firm_ids()) if s is not None)

    return kept.get(store, ("firms", as_of), judged)


def firm_now(request: Request, store: Store, firm: str, as_of: date | None = None) -> FirmStatus | None:
    """One firm's status, by id or any name it filed under, kept while the firm and its as-of day are unchanged."""
    firm_id = store.resolve(firm)
    if firm_id is None:
        return None
    kept = answers(request)
    return _status(kept, store, firm_id, _judged_at(kept, store, as_of))


def _judged_at(kept: RequestAnswers, store: Store, as_of: date | None) -> date | None:
    """The day statuses are judged at: `as_of`, else the store's latest End Date (kept: finding it reads every filing head)."""
    return as_of or kept.get(store, ("as-of",), lambda: as_of_date(store))


def _status(kept: RequestAnswers, store: Store, firm_id: str, day: date | None) -> FirmStatus | None:
    """`firm_status` judged at `day` (what it judges at when given none: `as_of_date`), kept per firm."""
    return kept.get(store, ("firm", firm_id, day), lambda: firm_status(store, firm_id, day), firm=firm_id)


def firm_watch_now(request: Request, store: Store, firm_id: str, first: date, day: date) -> WatchedFirm:
    """A firm's part of the overview's feed (`overview_view.watched_firm`), kept while the firm is unchanged."""
    return answers(request).get(store, ("feed", firm_id, first, day), lambda: watched_firm(store, firm_id, first, day), firm=firm_id)


def chart_now(request: Request, store: Store, firm_id: str, start: date | None, end: date | None) -> bytes:
    """The chart data of a firm and range as JSON bytes, kept while the firm is unchanged."""
    return answers(request).get(
        store,
        ("chart", firm_id, start, end),
        lambda: chart_data(store, firm_id, start, end).model_dump_json().encode("utf-8"),
        firm=firm_id,
    )
