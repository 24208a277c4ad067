"""Database URLs and engines tuned per database (the default location is in `location`), and the one place
that turns what a database or the operating system raises into a `StoreError` a person can act on.

SQLite runs in WAL mode with synchronous=NORMAL: a commit is atomic and survives the process being
killed (the kill test checks this); only a power loss can drop the last commits, never half of one.
Foreign keys are switched on, which SQLite leaves off by default.

A failure says what failed in the user's terms (the store's URL, never its password; the file; "full",
"read-only", "not a SQLite database", "the connection to the server was lost") on one line, with the
driver's own words after it: SQLAlchemy's text spans several lines and points at its web site instead.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from dailyseg.store.location import StoreError


def normalise_url(url: str) -> str:
    """Accept a bare path as a SQLite file and postgresql:// as psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def shown(url: URL) -> str:
    """The URL as messages name it: without its password, and a SQLite file's path as typed (SQLAlchemy
    would escape the colon of a `file:` URI)."""
    if url.get_backend_name() == "sqlite":
        query = "&".join(f"{key}={value}" for key, value in url.query.items())
        return f"{url.drivername}:///{url.database or ''}" + (f"?{query}" if query else "")
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, also when it is given as a URI (`sqlite:///file:PATH?mode=ro&uri=true`);
    None for an in-memory database or another database."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:") and str(url.query.get("uri", "")).lower() in ("true", "1"):
        return Path(urlsplit(database).path) if "mode=memory" not in database else None
    return Path(database)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache: index inserts stay in memory on large stores
    cursor.close()


def make_engine(url: str, *, create: bool) -> Engine:
    """An engine for `url`; creates the SQLite file's folder when `create`, refuses a missing file otherwise."""
    try:
        parsed = make_url(normalise_url(url))
    except Exception as error:  # SQLAlchemy raises ArgumentError and ValueError for bad URLs
        raise StoreError(f"not a database URL: {url!r} ({error})") from None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None and not path.exists():
            if not create:
                raise StoreError(f"no store at {path} (ingest something first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise StoreError(f"cannot create the store {shown(parsed)}: cannot make the folder {path.parent}: {reason}") from None
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or postgresql://...")
    return create_engine(parsed, pool_pre_ping=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _driver_text(error: BaseException) -> str:
    """The database driver's own words: SQLAlchemy's wrapper adds the SQL and a link on further lines, and
    PostgreSQL's message its context (the statement that was running), which say nothing to the user."""
    original = error.orig if isinstance(error, DBAPIError) else None
    primary = getattr(getattr(original, "diag", None), "message_primary", None)
    text = primary or (str(original) if original is not None else str(error).split("\n", 1)[0])
    return _one_line(text) or type(original or error).__name__


def _sqlite_problem(name: str, path: Path) -> str | None:
    """What a SQLite result code means for the store's file, or None when the driver's words say it best."""
    if name == "SQLITE_FULL":
        return f"the disk or the database holding {path} is full"
    if name.startswith("SQLITE_READONLY"):
        return f"{path} is read-only"
    if name == "SQLITE_NOTADB":
        return f"{path} is not a SQLite database"
    if name.startswith("SQLITE_IOERR"):
        return f"cannot read or write {path}"
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return f"{path} is locked by another process"
    if name == "SQLITE_CANTOPEN":
        if path.is_dir():
            return f"{path} is a folder, not a database file"
        if not path.exists():
            folder = path.parent
            return f"cannot create {path}: its folder is read-only" if not os.access(folder, os.W_OK) else f"cannot create {path}"
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            # WAL mode keeps its shared-memory index in a file beside the database, even to read.
            return f"{path} or its folder is read-only, and the store writes its journal beside the file even to read"
        return f"SQLite cannot open {path}"
    return None


def problem(error: SQLAlchemyError, url: URL) -> str:
    """One line: what failed, then the driver's words in brackets."""
    reason = _driver_text(error)
    original = error.orig if isinstance(error, DBAPIError) else None
    path = sqlite_file(url)
    if isinstance(original, sqlite3.Error) and path is not None:
        meaning = _sqlite_problem(getattr(original, "sqlite_errorname", ""), path)
        if meaning is not None:
            return f"{meaning} ({reason})"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return f"the connection to the database server was lost ({reason})"
    return reason


def is_fault(error: SQLAlchemyError) -> bool:
    """Whether `error` is the database failing (full, read-only, not a database, a server or connection gone),
    rather than a defect in dailyseg's own SQL (a constraint or a syntax error), which stays a defect."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)) or type(error) is DatabaseError


def failure(error: SQLAlchemyError, url: URL, *, opening: bool = False, kept: str = "") -> StoreError:
    """The StoreError for `error`: "cannot open the store URL: ..." while opening, else "store URL: ...; kept"."""
    if opening:
        return StoreError(f"cannot open the store {shown(url)}: {problem(error, url)}")
    return StoreError(f"store {shown(url)}: {problem(error, url)}" + (f"; {kept}" if kept else ""))


@contextmanager
def store_errors(url: URL, *, kept: str = "") -> Iterator[None]:
    """Turn a database failure inside the block into a StoreError naming the store and saying what was `kept`
    (for a write of one transaction: that nothing of it was stored). Other errors pass unchanged."""
    try:
        yield
    except SQLAlchemyError as error:
        if not is_fault(error):
            raise
        raise failure(error, url, kept=kept) from error
