"""Answers kept while the store is unchanged: chart data, the firms list with its status.

A firm's ten years of figures, or every firm's status (every rule over each firm's recent filings), take the
store a second or more to gather; the answer is the same until a filing is stored or two names are joined,
which `Store.revision` (two small queries) notices, whichever process did it.

What concerns one firm (its status, its chart data, its part of the overview's feed) is kept
against that firm's revision (`Store.firm_revision`) instead, so storing one firm's filing makes only that
firm's answers again. A firm's status also depends on the day it is judged at (the latest End Date in the
store, which another firm's filing can move), so that day is part of its key.

A firm's answers are also kept in the store (`store.answers`, by `RequestAnswers.firm_answer`), once for every
server process: what the monitor judges (its status, its part of the feed), its whole chart (a range is cut
from it), its history pages, the figures the overview's totals add up. A process that has not met
an answer yet reads what another judged, one lookup, instead of judging it again on the same cores.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from functools import partial
from typing import Any, TypeVar

from fastapi import Request

from dailyseg.shapes import ChartOut
from dailyseg.store import HistoryColumns, Store
from dailyseg.store.answers import Keep, Keeper, answer, keep_answer
from dailyseg.watch.monitor import FirmWatch, as_of_date, watch_latest
from dailyseg.watch.status import FirmStatus, by_worst_finding, firm_status, status_from_json, status_to_json
from dailyseg.web.charts import CHARTED, chart_of, chart_within
from dailyseg.web.overview_view import (
    TOTALLED,
    WatchedFirm,
    columns_from_json,
    columns_to_json,
    watched_firm,
    watched_from_json,
    watched_to_json,
)

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

    A page asks the cache several times (a firm's status, its history page), each against the same
    firm's revision; reading it once per request gives every part of the answer the same reading of the
    store, for two queries instead of two per part. A route that stores something and then reads answers
    must do so in a new request (as the pages do, redirecting after a post).
    """

    def __init__(self, cache: RevisionCache, keep: Keep = keep_answer) -> None:
        self._cache = cache
        self._keep = keep
        self._revisions: dict[str | None, tuple[int, int]] = {}
        self._read: dict[Hashable, Any] = {}

    def once(self, key: Hashable, read: Callable[[], T]) -> T:
        """What `read` gives, read at most once in this request: for a large read that two answers made in
        the same request start from (a firm's ten years of figures), and that is not worth keeping longer."""
        if key not in self._read:
            self._read[key] = read()
        found: T = self._read[key]
        return found

    def get(self, store: Store, key: Hashable, make: Callable[[], T], *, firm: str | None = None) -> T:
        """The answer for `key`, made again only when the store (or, given `firm`, that firm) has changed since."""
        return self._cache.get(self._revision(store, firm), key, make)

    def firm_answer(
        self,
        store: Store,
        firm_id: str,
        kind: str,
        key: str,
        judge: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
    ) -> T:
        """The firm's answer of `kind` for `key`, made again only when the firm has changed since: from this
        process's memory, else as kept in the store for every process (`store.answers.answer`), else judged and kept."""
        revision = self._revision(store, firm_id)
        return self._cache.get(
            revision, (kind, firm_id, key), lambda: answer(store, firm_id, kind, key, revision, judge, encode, decode, self._keep)
        )

    def known_firm(self, store: Store, firm: str) -> str | None:
        """`firm` if it is a firm id of the store (what the pages link to), without a query of its own."""
        return firm if firm in self.firm_revisions(store) else None

    def firm_revision(self, store: Store, firm_id: str) -> tuple[int, int]:
        """The firm's revision (`Store.firm_revision`) as this request read it."""
        return self._revision(store, firm_id)

    def _revision(self, store: Store, firm: str | None) -> tuple[int, int]:
        revision = self._revisions.get(firm)
        if revision is None:
            revision = store.revision() if firm is None else self.firm_revisions(store).get(firm) or store.firm_revision(firm)
            self._revisions[firm] = revision
        return revision

    def firm_revisions(self, store: Store) -> dict[str, tuple[int, int]]:
        """Every firm's revision, read in one query once for each revision of the store: a firm's revision moves
        only when the store's does, so a request reads the store's (two small queries) and no more."""
        return self._cache.get(self._revision(store, None), ("firm-revisions",), store.firm_revisions)


def answers(request: Request) -> RequestAnswers:
    """This request's view of the application's answers (made on first use)."""
    found = getattr(request.state, "answers", None)
    if not isinstance(found, RequestAnswers):
        cache: RevisionCache = request.app.state.answers
        keeper: Keeper = request.app.state.keeper
        found = request.state.answers = RequestAnswers(cache, keeper.keep)
    return found


def firms_now(request: Request, store: Store, as_of: date | None = None) -> list[FirmStatus]:
    """Every firm's status, worst first (as `watch.status.firm_statuses` lists them), kept while the store is
    unchanged; when it changed, only the firms whose revision moved are judged again."""
    kept = answers(request)

    def judged() -> list[FirmStatus]:
        day = judged_at(kept, store, as_of)
        return by_worst_finding(s for s in (status_of(kept, store, firm_id, day) for firm_id in store.firm_ids()) if s is not None)

    return kept.get(store, ("firms", as_of), judged)


def firm_now(request: Request, store: Store, firm: str, as_of: date | None = None) -> FirmStatus | None:
    """One firm's status, by id or any name it filed under, kept while the firm and its as-of day are unchanged."""
    kept = answers(request)
    firm_id = kept.known_firm(store, firm) or store.resolve(firm)
    if firm_id is None:
        return None
    return status_of(kept, store, firm_id, judged_at(kept, store, as_of))


def judged_at(kept: RequestAnswers, store: Store, as_of: date | None) -> date | None:
    """The day statuses are judged at: `as_of`, else the store's latest End Date (kept: finding it reads every filing head)."""
    return as_of or kept.get(store, ("as-of",), lambda: as_of_date(store))


def status_of(kept: RequestAnswers, store: Store, firm_id: str, day: date | None) -> FirmStatus | None:
    """`firm_status` judged at `day` (what it judges at when given none: `as_of_date`), kept per firm."""
    judge = partial(firm_status, store, firm_id, day, partial(watch_once, kept))
    if not _latest(kept, store, day):
        return kept.get(store, ("status", firm_id, day), judge, firm=firm_id)
    return kept.firm_answer(store, firm_id, "status", day_key(day), judge, status_to_json, status_from_json)


def firm_watch_now(request: Request, store: Store, firm_id: str, first: date, day: date) -> WatchedFirm:
    """A firm's part of the overview's feed (`overview_view.watched_firm`), kept while the firm is unchanged."""
    return firm_watch(answers(request), store, firm_id, first, day)


def firm_watch(kept: RequestAnswers, store: Store, firm_id: str, first: date, day: date) -> WatchedFirm:
    judge = partial(watched_firm, store, firm_id, first, day, partial(watch_once, kept))
    key = f"{first.isoformat()}/{day.isoformat()}"
    if not _latest(kept, store, day):
        return kept.get(store, ("feed", firm_id, key), judge, firm=firm_id)
    return kept.firm_answer(store, firm_id, "feed", key, judge, watched_to_json, watched_from_json)


def watch_once(kept: RequestAnswers, store: Store, firm_id: str, start: date, end: date, as_of: date | None) -> FirmWatch:
    """`watch_latest`, once a request for the same firm and days: a firm's status and its part of the
    overview's feed watch the same days (`watch.status.STATUS_WINDOW`), and after its filing the overview
    judges both again in one request."""
    return kept.once(("watch", firm_id, start, end, as_of), partial(watch_latest, store, firm_id, start, end, as_of))


def _latest(kept: RequestAnswers, store: Store, day: date | None) -> bool:
    """Whether `day` is the day every visitor's answers are judged at (the store's latest End Date): only those
    are kept in the store for the other processes. An answer as of another day (`?as_of=`) is one visitor's,
    seldom asked again: kept in this process's memory only, it costs the store no write."""
    return day == judged_at(kept, store, None)


def chart_now(request: Request, store: Store, firm_id: str, start: date | None, end: date | None) -> bytes:
    """The chart data of a firm and range as JSON bytes, kept while the firm is unchanged; a range is cut
    from the firm's whole chart (`charts.chart_within`), which is kept in the store for every process."""
    kept = answers(request)

    def cut() -> bytes:
        return chart_within(whole_chart(kept, store, firm_id), start, end).model_dump_json().encode("utf-8")

    return kept.get(store, ("chart", firm_id, start, end), cut, firm=firm_id)


def whole_chart(kept: RequestAnswers, store: Store, firm_id: str) -> ChartOut:
    def judge() -> ChartOut:
        return chart_of(firm_id, charted(kept, store, firm_id))

    return kept.firm_answer(store, firm_id, "chart", "", judge, ChartOut.model_dump_json, ChartOut.model_validate_json)


def totalled(
    kept: RequestAnswers, store: Store, firm_id: str, held: tuple[tuple[int, int], HistoryColumns] | None = None
) -> HistoryColumns:
    """The firm's figures the overview's totals add up (`overview_view.TOTALLED` on each filing of record):
    part of what its chart reads, so a request that makes both (the background's, after a filing) reads once.
    Given them as read at an earlier revision of the firm with the same names (`held`, the running totals'),
    only the days it filed since are read (`Store.history_columns_since`)."""

    def judge() -> HistoryColumns:
        if held is not None:
            (largest, names), table = held
            if names == kept.firm_revision(store, firm_id)[1]:
                return store.history_columns_since(firm_id, TOTALLED, table, largest)
        return charted(kept, store, firm_id).only(TOTALLED)

    return kept.firm_answer(store, firm_id, "totalled", "", judge, columns_to_json, columns_from_json)


def charted(kept: RequestAnswers, store: Store, firm_id: str) -> HistoryColumns:
    """Every day's figures of the firm that its chart draws (`charts.CHARTED`), read once per request."""
    return kept.once(("charted", firm_id), partial(store.history_columns, firm_id, CHARTED))


def day_key(day: date | None) -> str:
    """The key a status is kept under in the store: the day it is judged at."""
    return "" if day is None else day.isoformat()
