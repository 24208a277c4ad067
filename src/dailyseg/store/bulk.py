"""Many rows in or out as plain tuples, straight through the database driver (`executemany`, `fetchall`).

SQLAlchemy's Core `insert` builds and processes a parameter dictionary for every row, which costs more
than the database's own work for the hundred value rows of each filing, and with RETURNING on SQLite it
sends one statement per row. Here each column's own bind processing (dates and times as SQLite stores them)
is applied only to the columns whose type has one for the dialect, so integers and text pass untouched and
what is stored is what Core would store; the statement is built once per table, columns and dialect.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError


@functools.lru_cache(maxsize=32)
def insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    """`INSERT INTO table (columns) VALUES (?, ...)` with the driver's own placeholders."""
    quote = dialect.identifier_preparer
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
    names = ", ".join(quote.quote(c) for c in columns)
    return f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"


_MISSING = object()


@functools.lru_cache(maxsize=32)
def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """(position, bind processor) of each of `columns` whose type converts values for this dialect."""
    found = ((i, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for i, name in enumerate(columns))
    return tuple((i, process) for i, process in found if process is not None)


def copy_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    """`COPY table (columns) FROM STDIN`, PostgreSQL's bulk load."""
    quote = dialect.identifier_preparer
    return f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"


def insert_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples in `columns` order) in the connection's transaction: one `executemany`, or on
    PostgreSQL one COPY, which streams the rows instead of running a statement for each (about 2x faster
    for a batch of filings' values)."""
    if not rows:
        return
    processors = _processors(conn.dialect, table, columns)
    if processors:
        # A batch's dates and times repeat (one stored-at time, a few End Dates): each distinct value is
        # converted once, a dictionary lookup for the others (the conversion is a Python call each).
        seen: list[dict[Any, Any]] = [{} for _ in processors]
        converted = []
        for row in rows:
            values = list(row)
            for (i, process), done in zip(processors, seen, strict=True):
                value = values[i]
                if (found := done.get(value, _MISSING)) is _MISSING:
                    found = done[value] = process(value)
                values[i] = found
            converted.append(tuple(values))
        rows = converted
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(insert_sql(conn.dialect, table, columns), list(rows))
        return
    sql = copy_sql(conn.dialect, table, columns)
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # a psycopg cursor
    with _driver_errors(conn, sql, (), cursor), cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def fetch_rows(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `query` as the driver's plain tuples, without SQLAlchemy's per-row result processing.

    Only for queries whose columns the driver already returns as wanted (integers and text): no type's
    result processing is applied, so a date column would come back as SQLite's text.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positiontup is not None:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    return fetch_sql(conn, compiled.string, params)


def fetch_sql(conn: Connection, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """`fetch_rows` of SQL already compiled for this connection's dialect, with its parameters as its driver
    takes them (a sequence for a positional driver, a mapping for a named one)."""
    cursor = conn.connection.cursor()
    with _driver_errors(conn, sql, params, cursor):
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@contextlib.contextmanager
def _driver_errors(conn: Connection, sql: str, params: Any, cursor: Any) -> Iterator[None]:
    """Close `cursor` afterwards; a driver's error that got past SQLAlchemy is wrapped as SQLAlchemy would wrap
    it, so that callers meet one kind of database error, and a connection the server dropped is not handed out again."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        lost = conn.dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(error)
        raise DBAPIError.instance(sql, params, error, dbapi.Error, connection_invalidated=lost, dialect=conn.dialect) from error
    finally:
        cursor.close()
