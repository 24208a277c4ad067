"""Where the store lives by default, and the error for a store that cannot be used.

Apart from `database` (which loads SQLAlchemy) so that a command line can name the setting in its options,
and catch the error, before it knows whether it will open a store at all.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_ENV = "DAILYSEG_DB"


class StoreError(Exception):
    """The store cannot be used as asked (a bad URL, a missing database with create=False)."""


def default_url() -> str:
    """$DAILYSEG_DB, else a SQLite file under $XDG_DATA_HOME/dailyseg (or ~/.local/share/dailyseg)."""
    configured = os.environ.get(DEFAULT_DB_ENV)
    if configured:
        return configured
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'dailyseg' / 'dailyseg.sqlite'}"
