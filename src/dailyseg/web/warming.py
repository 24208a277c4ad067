"""Each firm's first answers judged in the background, before anyone asks: at the server's start, and again for
each firm whose revision changes while it runs (`Settings.warm_answers`, `Settings.rejudge_every_s`).

The first visitor of a firm page after a start, or after the firm's filing, would otherwise wait for the
monitor (a tenth of a second or more a firm, several at once after a restart or a burst of filings), and the
first overview for every firm at once. Whoever stored the filing (the web upload, `dailyseg ingest`,
`dailyseg watch`, another server process), this process notices: it looks at the store's revision (one small
query) every `rejudge_every_s` seconds, or at once when an upload here stored something (`rejudge_soon`), and
only when that moved reads every firm's revision (one query) to find the firms that changed. When the store's
latest End Date moved, every firm's status as of it is new: every firm is judged again.

It makes what the firm page, its chart and the overview ask first: the firm's status as of the store's latest
End Date, its part of the overview's feed, its whole chart, the history page of the default range,
and the figures the totals add up. Each is kept in this process's memory and in the store (`store.answers`),
so the other processes read instead of judging: each claims a firm's revision before judging it
(`store.answers.claim`), and a firm another process claimed is left to it, and read from the store into this
process's memory once that process has kept its answers. A request that asks for an answer
while the background judges it waits for that one (`cache.RevisionCache`) instead of judging it again.

At the start it also reads the static files and the holiday calendar and compiles the pages' templates,
which the first page would otherwise wait for.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta

from fastapi import Request

from dailyseg.calendar import previous_business_day
from dailyseg.store import Store
from dailyseg.store.answers import CLAIM_S, Revision, claim, kept_answer
from dailyseg.web.assets import assets
from dailyseg.web.cache import RequestAnswers, RevisionCache, day_key, firm_watch, judged_at, status_of, totalled, whole_chart
from dailyseg.web.history_view import days_table
from dailyseg.web.overview_view import DEFAULT_DAYS
from dailyseg.web.templating import environment
from dailyseg.web.views import default_window

_log = logging.getLogger(__name__)


class Rejudging:
    """The firms waiting to be judged in the background of one server process, and the thread that judges them.

    `start` runs the thread; `settle` judges in the caller's thread instead (what a test or a script wants).
    A failure (the store unavailable, say) is logged in one line, and the next look tries again; while the
    failure lasts it is not logged again. When the server is stopping, nothing is said.
    """

    def __init__(self, cache: RevisionCache, open_store: Callable[[], Store], every_s: float) -> None:
        self._cache = cache
        self._open_store = open_store
        self._every_s = every_s
        self._stopping = threading.Event()
        self._nudged = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self._revision: tuple[int, int] | None = None  # the store's, when last looked at
        self._day: date | None = None  # the store's latest End Date then, which every status is judged at
        self._known: dict[str, Revision] = {}  # each firm's revision when last looked at
        self._waiting: list[str] = []  # the firms to judge, first first
        self._elsewhere: list[tuple[str, Revision, str, float]] = []  # claimed by another process: until when to wait for it
        self.judged = 0  # firms this process judged, for the tests and the logs
        self.read = 0  # firms whose answers another process judged, read into this process's memory

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dailyseg-rejudge", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Look for changed firms now rather than at the next look (something was just stored)."""
        self._nudged.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the firm being judged (waiting at most `timeout_s`), before the store is closed under it."""
        self._stopping.set()
        self._nudged.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def settle(self) -> int:
        """Judge every firm waiting, in this thread, until none is (or a failure, or `stop`); how many were judged."""
        before = self.judged
        while not self._stopping.is_set() and self.attempt():
            pass
        return self.judged - before

    def attempt(self) -> bool:
        """Look for changed firms and judge the first waiting; whether one was waiting (False after a failure)."""
        try:
            waited = self._step()
        except Exception as error:  # judging ahead is an optimisation: requests judge what they need without it
            if not self._failing and not self._stopping.is_set():  # a server stopping closes the store under it
                _log.warning("judging changed firms ahead of their visitors failed (tried again later): %s", error)
            self._failing = True
            return False
        self._failing = False
        return waited

    def _run(self) -> None:
        try:
            _prepare()
        except Exception as error:
            _log.warning("reading the pages' files ahead of the first visitor failed: %s", error)
        while not self._stopping.is_set():
            if not self.attempt():
                self._nudged.wait(self._every_s if self._every_s > 0 else None)
                self._nudged.clear()

    def _step(self) -> bool:
        store = self._open_store()
        self._look(store)
        if not self._waiting:
            return self._read_elsewhere(store)
        firm_id = self._waiting.pop(0)
        revision = self._known.get(firm_id)
        if revision is None:
            return True
        key = day_key(judged_at(RequestAnswers(self._cache), store, None))
        if claim(store, firm_id, key, revision):
            warm_firm(RequestAnswers(self._cache), store, firm_id)
            self.judged += 1
        else:
            self._elsewhere.append((firm_id, revision, key, time.monotonic() + CLAIM_S))
        return True

    def _read_elsewhere(self, store: Store) -> bool:
        """Read into this process's memory the first firm another process has judged since it claimed it (its
        status as of the day and its last answer, the totals' figures, kept in the store); whether one was read.
        A firm changed since (or the day) is left to its new claim; one whose claim went stale unanswered is judged here."""
        while self._elsewhere:
            firm_id, revision, day, until = self._elsewhere[0]
            if self._known.get(firm_id) != revision or day != day_key(self._day):
                self._elsewhere.pop(0)
                continue
            judged = all(kept_answer(store, firm_id, kind, key, revision) is not None for kind, key in (("status", day), ("totalled", "")))
            if not judged and time.monotonic() < until:
                return False  # still being judged: looked at again after the next wait
            self._elsewhere.pop(0)
            warm_firm(RequestAnswers(self._cache), store, firm_id)
            self.read += 1
            return True
        return False

    def _look(self, store: Store) -> None:
        """Queue first the firms whose revision moved since the last look (every firm when the latest day moved):
        when nothing changed, that is the store's revision read, and no more."""
        revision = store.revision()
        if revision == self._revision:
            return
        day = judged_at(RequestAnswers(self._cache), store, None)
        day_moved = self._revision is None or day != self._day
        revisions = store.firm_revisions()
        changed = [f for f, r in revisions.items() if r[0] and (day_moved or self._known.get(f) != r)]  # r[0]: it filed
        random.shuffle(changed)  # each process in its own order, so that their claims mostly differ
        first = set(changed)
        self._waiting = changed + [f for f in self._waiting if f not in first]
        self._revision, self._day, self._known = revision, day, revisions


def rejudge_soon(request: Request) -> None:
    """After a route stored something: this process looks for the firms it changed now, not at the next look."""
    rejudging: Rejudging = request.app.state.rejudging
    rejudging.nudge()


def _prepare() -> None:
    assets()  # read and hashed once, for the pages' links
    previous_business_day(date.today())  # the holiday calendar read (a tenth of a second), for lateness marks
    templates = environment()
    for name in templates.list_templates(filter_func=lambda name: name.endswith(".j2")):
        templates.get_template(name)  # compiled once, 10-50 ms each, which the first page would wait for


def warm_firm(kept: RequestAnswers, store: Store, firm_id: str) -> None:
    """What the firm page (`routers.pages.firm`), its chart and the overview (`routers.overview`) ask of a firm first."""
    day = judged_at(kept, store, None)
    status = status_of(kept, store, firm_id, day)
    if status is None or day is None:
        return
    firm_watch(kept, store, firm_id, day - timedelta(days=DEFAULT_DAYS - 1), day)
    whole_chart(kept, store, firm_id)
    start, end = default_window(status.as_of or status.latest_end_date, None, None)
    days_table(kept, store, status, start, end, 1)
    totalled(kept, store, firm_id)
