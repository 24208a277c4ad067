"""Many rows in or out as plain tuples, straight through the database driver (`executemany`, `fetchall`).

SQLAlchemy's Core `insert` builds and processes a parameter dictionary for every row, which costs more
than the database's own work for the thirty-odd value rows of each filing. The columns written this way
are integers and text, which both drivers (sqlite3, psycopg) take as they are, so no type processing is
lost; the statement is built once per table, columns and database dialect.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
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


def insert_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples in `columns` order) with one `executemany` in the connection's transaction."""
    if rows:
        conn.exec_driver_sql(insert_sql(conn.dialect, table, columns), list(rows))


def fetch_rows(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `query` as the driver's plain tuples, without SQLAlchemy's per-row result processing.

    Only for queries whose columns the driver already returns as wanted (integers and text): no type's
    result processing is applied, so a date column would come back as SQLite's text.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positiontup is not None:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        return list(cursor.fetchall())
    except dbapi.Error as error:
        # The driver's error got past SQLAlchemy: wrap it as SQLAlchemy would, so that callers meet one kind of
        # database error, and a connection the server dropped is not handed out again.
        lost = conn.dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(error)
        raise DBAPIError.instance(compiled.string, params, error, dbapi.Error, connection_invalidated=lost, dialect=conn.dialect) from error
    finally:
        cursor.close()
