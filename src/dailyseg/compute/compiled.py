"""The DuckDB engine without Ibis: the computation's SQL, compiled by Ibis ahead of time, run by duckdb itself.

Why: for a book of 100k accounts, importing Ibis (with sqlglot and every SQL dialect it knows) and building
the expressions cost more CPU than DuckDB's query. The rules stay written once, as the Ibis expressions of
`engine`; this module keeps the SQL Ibis compiles them to for DuckDB in `duckdb_queries.json`, one query per
result and deficit basis, over tables with the schema's names and exact types. `python -m
dailyseg.compute.compiled` writes that file again, and a test compiles the expressions afresh and compares,
so the stored SQL is always what Ibis would run (and the engines' agreement tests run this path).

The book's tables reach the queries as views that cast each column to the schema's type (or an absent
optional column to a typed null), which is what `engine.Backend.table` does in Ibis. Everything is passed as
SQL text, never as query parameters: duckdb converts Python parameters through pandas, whose import alone
costs more than a small book's query.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dailyseg.compute.books import Books, TableData
from dailyseg.compute.config import BASES
from dailyseg.compute.schema import ARROW_TYPES, TABLE, TABLES

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

QUERIES_FILE = Path(__file__).with_name("duckdb_queries.json")
BANDS_SCHEMA = pa.schema([("type", pa.string()), ("after", pa.date32()), ("until", pa.date32()), ("band_haircut", pa.decimal128(9, 4))])
_NEVER = date(9999, 12, 31)
_EVER = date(1, 1, 1)
_NAMED = {"string": "VARCHAR", "int64": "BIGINT", "bool": "BOOLEAN", "date32[day]": "DATE"}


def _sql(arrow: pa.DataType) -> str:
    if str(arrow) in _NAMED:
        return _NAMED[str(arrow)]
    assert isinstance(arrow, pa.Decimal128Type), arrow  # the schema's only other types are decimals
    return f"DECIMAL({arrow.precision},{arrow.scale})"


def sql_type(column_type: str) -> str:
    """A schema column type as DuckDB names it (the Arrow type of `schema.ARROW_TYPES`, in SQL)."""
    return _sql(ARROW_TYPES[column_type])  # type: ignore[index]  # a column's type, checked by the schema


def compile_queries() -> dict[str, str]:
    """The engine's expressions compiled by Ibis to DuckDB SQL, keyed `result/basis`: the stored file's content."""
    import ibis

    from dailyseg.compute.engine import balance_totals, customer_totals, frames

    tables = {t.name: ibis.table(ibis.Schema.from_pyarrow(t.arrow_schema()), name=t.name) for t in TABLES if t.name != "haircuts"}
    bands = ibis.table(ibis.Schema.from_pyarrow(BANDS_SCHEMA), name="bands")
    queries = {}
    for basis in BASES:
        built = frames(tables, _EVER, basis, bands)  # the date is carried by the bands' rows, not the SQL
        queries[f"customer_totals/{basis}"] = ibis.to_sql(customer_totals(built), dialect="duckdb")
        queries[f"balance_totals/{basis}"] = ibis.to_sql(balance_totals(built), dialect="duckdb")
    return {key: str(sql) for key, sql in queries.items()}


def stored_queries() -> dict[str, str]:
    return dict(json.loads(QUERIES_FILE.read_text("utf-8")))


def band_rows(haircuts: Iterable[Mapping[str, Any]], business_date: date) -> list[dict[str, Any]]:
    """The haircut table as maturity-date bands (after, until] for the business date: a join, not a search."""
    bands = []
    by_type: dict[str, list[tuple[int | None, Decimal]]] = {}
    for row in haircuts:
        by_type.setdefault(row["type"], []).append((row["max_days"], row["haircut"]))
    for kind, rows in by_type.items():
        after = _EVER
        for max_days, haircut in sorted(rows, key=lambda r: (r[0] is None, r[0] or 0)):
            until = _NEVER if max_days is None else business_date + timedelta(days=max_days)
            bands.append({"type": kind, "after": after, "until": until, "band_haircut": haircut})
            after = until
    return bands


def _string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _literal(value: object, to: str) -> str:
    return f"CAST({'NULL' if value is None else _string(value)} AS {to})"


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def quarter_of_memory() -> str:
    """A quarter of physical memory in DuckDB's units (DuckDB 1.x takes no percentage)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{total // 4 // 2**20}MiB"


def run(books: Books) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The customer and balance totals of the book, computed by DuckDB from the stored SQL.

    DuckDB keeps to a quarter of the machine's memory and spills to disk beyond it, so that a book larger
    than memory completes; results are totals, so it need not keep the input's row order.
    """
    import duckdb

    connection = duckdb.connect(config={"memory_limit": quarter_of_memory(), "preserve_insertion_order": False})
    try:
        connection.execute("SET python_enable_replacements = false")  # only the tables named here, as Ibis sets it
        connection.execute("SET enable_progress_bar = false")  # standard output may carry the filing
        for table in TABLES:
            if table.name != "haircuts":
                _create_view(connection, table.name, books.tables[table.name])
        _create_bands(connection, band_rows(books.rows("haircuts"), books.config.business_date))
        queries = stored_queries()
        basis = books.config.deficit_basis
        return _rows(connection, queries[f"customer_totals/{basis}"]), _rows(connection, queries[f"balance_totals/{basis}"])
    finally:
        connection.close()


def _create_view(connection: DuckDBPyConnection, name: str, data: TableData) -> None:
    """The table `name` as the queries see it: the schema's columns and types, whatever the file holds."""
    if isinstance(data, Path):
        source = f"read_parquet([{_string(data)}])"
        present = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    elif data.num_rows == 0:  # an absent optional table: registering Arrow data would import pandas
        source, present = "(SELECT 1) AS nothing WHERE false", set()
    else:
        source, present = _name(f"arrow_{name}"), set(data.column_names)
        connection.register(f"arrow_{name}", data)
    columns = ", ".join(
        f"CAST({_name(c.name) if c.name in present else 'NULL'} AS {sql_type(c.type)}) AS {_name(c.name)}" for c in TABLE[name].columns
    )
    connection.execute(f"CREATE TEMP VIEW {_name(name)} AS SELECT {columns} FROM {source}")


def _create_bands(connection: DuckDBPyConnection, bands: list[dict[str, Any]]) -> None:
    """The haircut bands as a table of SQL literals (a query's parameters would import pandas)."""
    types = [(field.name, _sql(field.type)) for field in BANDS_SCHEMA]
    connection.execute(f"CREATE TEMP TABLE bands ({', '.join(f'{_name(name)} {to}' for name, to in types)})")
    if bands:
        rows = ", ".join("(" + ", ".join(_literal(band[name], to) for name, to in types) + ")" for band in bands)
        connection.execute(f"INSERT INTO bands VALUES {rows}")


def _rows(connection: DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    result = connection.execute(sql)
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def write_queries() -> None:
    """Compile the expressions and store their SQL (run after changing `engine`'s expressions or upgrading Ibis)."""
    QUERIES_FILE.write_text(json.dumps(compile_queries(), indent=1, sort_keys=True) + "\n", "utf-8")


if __name__ == "__main__":
    write_queries()
    print(f"wrote {QUERIES_FILE}", file=sys.stderr)
