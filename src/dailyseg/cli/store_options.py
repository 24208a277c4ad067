"""What the store commands share: the --db option, opening the store, firm and date arguments.

The store (SQLAlchemy) is imported only when a command opens it, so that the command line starts fast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@contextmanager
def open_store(db: str | None, *, create: bool = False) -> Iterator[Store]:
    """The store for the block, closed after it (reading commands do not create an empty store).

    Every command that touches the store runs inside this block, so it is the one place where a store that
    cannot be opened, or fails part-way (a full disk, a read-only file, a server gone), becomes one line
    naming the store and what was kept, and exit code 2, rather than a traceback and exit code 3.
    """
    from dailyseg.store import Store, StoreError
    from dailyseg.store.database import store_errors

    # psycopg logs a warning of several lines when a server goes away in the middle of a batch of
    # statements; the failure itself reaches the user as the one line below.
    quiet = logging.getLogger("psycopg")
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    try:
        with Store.open(db, create=create) as store, store_errors(store.engine.url):
            yield store
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
