"""The history store: every filing a firm made, in order, with its amendments (SQLite file or PostgreSQL).

The names exported here are the Store API contract that the web app and the CLI code against. `Store`
needs SQLAlchemy, so it is imported when first asked for: the other names (the setting, the error, the
values handed out) cost nothing to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dailyseg.lazy import lazy_names
from dailyseg.store.location import DEFAULT_DB_ENV, StoreError, default_url
from dailyseg.store.types import FilingVersion, HistoryColumns, HistoryPoint, IngestOutcome

if TYPE_CHECKING:
    from dailyseg.store.store import Store
else:
    __getattr__ = lazy_names(__name__, {"Store": "dailyseg.store.store"})


__all__ = [
    "DEFAULT_DB_ENV",
    "FilingVersion",
    "HistoryColumns",
    "HistoryPoint",
    "IngestOutcome",
    "Store",
    "StoreError",
    "default_url",
]
