"""Each firm's answers judged when the server starts, before anyone asks (`Settings.warm_answers`).

The first visitor of a firm page after a start would otherwise wait for the monitor (a tenth of a second or
more a firm, several at once after a restart), and the first overview for every firm at once. Warming runs
in one background thread per server process. It reads the static files and the holiday calendar and
compiles the pages' templates (which the first page would otherwise wait for), then makes what the firm
page, its chart and the overview ask first: the firm's status as of the store's latest End Date, its part of
the overview's feed, its whole chart, its days and the history page of the default range, and the figures
the totals add up. Each is kept in this process's memory and in the store (`store.answers`), so the other
processes read instead of judging: each process walks the firms in its own random order, so that they
mostly judge different firms.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import date, timedelta

from dailyseg.calendar import previous_business_day
from dailyseg.store import Store
from dailyseg.web.assets import assets
from dailyseg.web.cache import RequestAnswers, RevisionCache, firm_watch, judged_at, status_of, totalled, whole_chart
from dailyseg.web.history_view import kept_history
from dailyseg.web.overview_view import DEFAULT_DAYS
from dailyseg.web.templating import environment
from dailyseg.web.views import default_window

_log = logging.getLogger(__name__)


def warm_answers(cache: RevisionCache, open_store: Callable[[], Store], stop: threading.Event) -> int:
    """Judge (or read) every firm's first answers, until done or `stop` is set; how many firms were warmed.

    A failure (the store unavailable, say) is logged in one line and ends the warming: requests still judge what
    they need, as without it. When the server is stopping (`stop` set), the store closed under it says nothing.
    """
    done = 0
    try:
        assets()  # read and hashed once, for the pages' links
        previous_business_day(date.today())  # the holiday calendar read (a tenth of a second), for lateness marks
        templates = environment()
        for name in templates.list_templates(filter_func=lambda name: name.endswith(".j2")):
            templates.get_template(name)  # compiled once, 10-50 ms each, which the first page would wait for
        store = open_store()
        firms = store.firm_ids()
        random.shuffle(firms)
        for firm_id in firms:
            if stop.is_set():
                break
            warm_firm(RequestAnswers(cache), store, firm_id)
            done += 1
    except Exception as error:  # warming is an optimisation: requests judge what they need without it
        if not stop.is_set():  # a server stopping closes the store under it: nothing to say then
            _log.warning("warming the firms' answers stopped after %d firms: %s", done, error)
    return done


def warm_firm(kept: RequestAnswers, store: Store, firm_id: str) -> None:
    """What the firm page (`routers.pages.firm`), its chart and the overview (`routers.overview`) ask of a firm first."""
    day = judged_at(kept, store, None)
    status = status_of(kept, store, firm_id, day)
    if status is None or day is None:
        return
    firm_watch(kept, store, firm_id, day - timedelta(days=DEFAULT_DAYS - 1), day)
    whole_chart(kept, store, firm_id)
    start, end = default_window(status.as_of or status.latest_end_date, None, None)
    kept_history(kept, store, firm_id, start, end, status.as_of, 1)
    totalled(kept, store, firm_id)
