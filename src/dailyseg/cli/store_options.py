"""What the store commands share: the --db option, opening the store, firm and date arguments.

The store (SQLAlchemy) is imported only when a command opens it, so that the command line starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dailyseg.cli.app import DAY, UNREADABLE, fail
from dailyseg.store.location import DEFAULT_DB_ENV

if TYPE_CHECKING:
    from dailyseg.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        envvar=DEFAULT_DB_ENV,
        help=f"Store URL: sqlite:///FILE, a file path, or postgresql://user@host/db (default ${DEFAULT_DB_ENV}, else a SQLite file "
        "under ~/.local/share/dailyseg).",
    )(function)


def open_store(db: str | None, *, create: bool = False) -> Store:
    """Open the store or exit 2 with the reason (reading commands do not create an empty store)."""
    from dailyseg.store import Store, StoreError

    try:
        return Store.open(db, create=create)
    except StoreError as problem:
        fail(str(problem), UNREADABLE)


def firm_id_or_exit(store: Store, firm: str) -> str:
    found = store.resolve(firm)
    if found is None:
        known = ", ".join(store.firm_ids()[:10]) or "none yet"
        fail(f"no firm {firm!r} in the store (firms: {known})", UNREADABLE)
    return found


def parse_day(text: str) -> date:
    try:
        return DAY.convert(text, None, None)
    except click.BadParameter as problem:
        fail(problem.message, UNREADABLE)


def as_of_option(function: F) -> F:
    """`--as-of`: the day a firm's status and silence are judged at (default: the latest End Date in the store)."""
    return click.option("--as-of", "as_of", type=DAY, help="Judge status as of this day (default: the latest End Date in the store).")(
        function
    )
