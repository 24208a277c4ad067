"""What the store commands share: the --db option, opening the store, firm and date arguments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from dailyseg.cli.app import UNREADABLE, fail
from dailyseg.store import DEFAULT_DB_ENV, Store, StoreError

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


def period_options(function: F) -> F:
    function = click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last End Date (YYYY-MM-DD).")(function)
    return click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First End Date (YYYY-MM-DD).")(function)


def day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def open_store(db: str | None, *, create: bool = False) -> Store:
    """Open the store or exit 2 with the reason (reading commands do not create an empty store)."""
    try:
        return Store.open(db, create=create)
    except StoreError as error:
        fail(str(error), UNREADABLE)


def firm_id_or_exit(store: Store, firm: str) -> str:
    found = store.resolve(firm)
    if found is None:
        known = ", ".join(store.firm_ids()[:10]) or "none yet"
        fail(f"no firm {firm!r} in the store (firms: {known})", UNREADABLE)
    return found


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"expected a date YYYY-MM-DD, found {text!r}", UNREADABLE)
