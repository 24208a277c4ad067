"""The store behind the application, opened on first use (pages that need no store work without one)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, Request

from dailyseg.checks import REGISTRY, Selection, UnknownRuleError
from dailyseg.store import Store, StoreError


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
