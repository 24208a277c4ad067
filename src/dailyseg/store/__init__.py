"""The history store: every filing a firm made, in order, with its amendments (SQLite file or PostgreSQL).

The names exported here are the Store API contract that the web app and the CLI code against.
"""

from dailyseg.store.database import DEFAULT_DB_ENV, StoreError, default_url
from dailyseg.store.store import Store
from dailyseg.store.types import FilingVersion, FirmSummary, HistoryColumns, HistoryPoint, IngestOutcome, StatementSummary

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
