"""The store behind the application, opened on first use (pages that need no store work without one), and the
parameters every route shares, each bounded once here: filing ids, dates, the choice of rules."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated

from fastapi import HTTPException, Path, Query, Request
from pydantic import AfterValidator

from dailyseg.checks import REGISTRY, Selection, UnknownRuleError
from dailyseg.filing import Filing
from dailyseg.store import FilingVersion, Store, StoreError

# Filing ids are the store's `Integer` primary key: 32-bit on PostgreSQL (64-bit on SQLite), so an id past
# 2**31 - 1 cannot exist, and passing a larger one to the driver fails (an overflow, not "not found").
MAX_FILING_ID = 2**31 - 1
FilingId = Annotated[int, Path(ge=1, le=MAX_FILING_ID, description="a stored version's id")]


def stored_or_404(store: Store, filing_id: int) -> tuple[FilingVersion, Filing]:
    """A stored version and its filing, or the 404 every route gives for an id the store does not hold."""
    try:
        return store.get(filing_id)
    except KeyError:
        raise HTTPException(404, f"no filing {filing_id} in the store") from None


# Dates a request may name. Daily segregation filings began in the 2000s; the rules over time step days and
# months past the dates asked for (the timeline's months, the look-back of a firm's status), which at the
# ends of the calendar (0001-01-01, 9999-12-31) overflows `date`. Dates outside this window are refused (422)
# rather than quietly moved, so an answer is always for the range the client named.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def within_calendar(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"dates must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
    return day


Day = Annotated[date, AfterValidator(within_calendar)]
From = Annotated[Day | None, Query(alias="from", description="first End Date, included (YYYY-MM-DD)")]
To = Annotated[Day | None, Query(alias="to", description="last End Date, included (YYYY-MM-DD)")]
AsOf = Annotated[Day | None, Query(alias="as_of", description="judge status as of this day (default: the latest End Date stored)")]


class StoreHolder:
    """Opens the store once, on the first request that needs it, and closes it with the application."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    try:
                        self._store = Store.open(self._url)
                    except StoreError as error:
                        raise HTTPException(503, f"the history store is not available: {error}") from None
        return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def get_store(request: Request) -> Store:
    holder: StoreHolder = request.app.state.store
    return holder.get()


def firm_or_404(store: Store, firm: str) -> str:
    """The firm id of a firm named in a URL (by id or any name it filed under), or 404."""
    firm_id = store.resolve(firm)
    if firm_id is None:
        raise HTTPException(404, f"no firm {firm!r} in the store")
    return firm_id


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise HTTPException(422, f"invalid request: from {start.isoformat()} is after to {end.isoformat()}")


def rule_choice(
    rules: Annotated[list[str] | None, Query(description="run only these rule ids (GET /api/rules lists them)")] = None,
    strict: Annotated[bool, Query(description="also run the strict tier: soft cross-checks and heuristics")] = False,
) -> Selection:
    """The rules a request asks for, as `--rules` and `--strict` choose them on the command line (422 if unknown)."""
    selection = Selection.of(rules or (), strict=strict)
    try:
        REGISTRY.chosen(selection)
    except UnknownRuleError as problem:
        raise HTTPException(422, f"invalid request: {problem}") from None
    return selection
