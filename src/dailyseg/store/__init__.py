"""The history store: every filing a firm made, in order, with its amendments (SQLite file or PostgreSQL).

The names exported here are the Store API contract that the web app and the CLI code against. `Store`
needs SQLAlchemy, so it is imported when first asked for: the other names (the setting, the error, the
values handed out) cost nothing to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dailyseg.store.location import DEFAULT_DB_ENV, StoreError, default_url
from dailyseg.store.types import FilingVersion, FirmSummary, HistoryColumns, HistoryPoint, IngestOutcome, StatementSummary

if TYPE_CHECKING:
    from dailyseg.store.store import Store
else:

    def __getattr__(name: str) -> object:
        """`Store` on first use (PEP 562); mypy sees the import above instead."""
        if name != "Store":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from dailyseg.store.store import Store

        return Store


__all__ = [
    "DEFAULT_DB_ENV",
    "FilingVersion",
    "FirmSummary",
    "HistoryColumns",
    "HistoryPoint",
    "IngestOutcome",
    "StatementSummary",
    "Store",
    "StoreError",
    "default_url",
]
