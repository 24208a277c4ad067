"""Database URLs and engines tuned per database (the default location is in `location`).

SQLite runs in WAL mode with synchronous=NORMAL: a commit is atomic and survives the process being
killed (the kill test checks this); only a power loss can drop the last commits, never half of one.
Foreign keys are switched on, which SQLite leaves off by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from dailyseg.store.location import StoreError


def normalise_url(url: str) -> str:
    """Accept a bare path as a SQLite file and postgresql:// as psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


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
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            if not path.exists():
                if not create:
                    raise StoreError(f"no store at {path} (ingest something first)")
                path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or postgresql://...")
    return create_engine(parsed, pool_pre_ping=True)
