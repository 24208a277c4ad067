"""The DuckDB path without Ibis (`compute.compiled`) runs exactly what Ibis would: the stored SQL is Ibis's
compilation of the engine's expressions, and its results equal the Ibis backend's, value for value."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from dailyseg.compute import books as book_reading
from dailyseg.compute import compiled, read_books
from dailyseg.compute.config import BooksError
from dailyseg.compute.engine import balance_totals, connect, customer_totals
from dailyseg.compute.schema import ARROW_TYPES, DEFAULT_HAIRCUTS, TABLE, TABLES
from tests.compute.bookkit import micro_example, write_book
from tests.compute.test_engines import books


def test_the_stored_sql_is_what_ibis_compiles() -> None:
    """After a change to the engine's expressions or an upgrade of Ibis: `python -m dailyseg.compute.compiled`."""
    assert compiled.stored_queries() == compiled.compile_queries()


def test_sql_types_are_the_types_duckdb_gives_the_schemas_arrow_types() -> None:
    connection = duckdb.connect()
    schema = pa.schema([(name, arrow) for name, arrow in ARROW_TYPES.items()])
    connection.register("typed", pa.table([pa.nulls(0, f.type) for f in schema], schema=schema))
    found = {row[0]: row[1] for row in connection.execute("DESCRIBE typed").fetchall()}
    assert {name: compiled.sql_type(name) for name in ARROW_TYPES} == found


def _ibis_totals(data: book_reading.Books) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with connect("duckdb") as backend:
        frames = backend.frames(data)
        return backend.execute(customer_totals(frames)), backend.execute(balance_totals(frames))


def _same(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Equal rows in any order, each value of the same type and, for decimals, the same digits and scale."""
    assert sorted(map(repr, found)) == sorted(map(repr, expected))


def _as_parquet(data: book_reading.Books, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "firm.toml").write_bytes((data.folder / "firm.toml").read_bytes())
    for table in TABLES:
        if table.name != "haircuts":
            pq.write_table(data.arrow(table.name), folder / f"{table.name}.parquet")
    return folder


@pytest.mark.slow  # compiles the expressions with Ibis for every example
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_the_compiled_sql_gives_what_ibis_gives(book: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as parquet:
        from_csv = read_books(write_book(Path(folder), book["tables"], book["firm"]))
        from_parquet = read_books(_as_parquet(from_csv, Path(parquet)))
        for data in (from_csv, from_parquet):
            customers, balances = compiled.run(data)
            expected_customers, expected_balances = _ibis_totals(data)
            _same(customers, expected_customers)
            _same(balances, expected_balances)


def test_the_micro_example_computes_alike_from_csv_and_parquet(tmp_path: Path) -> None:
    from_csv = read_books(write_book(tmp_path / "csv", micro_example()))
    from_parquet = read_books(_as_parquet(from_csv, tmp_path / "parquet"))
    (customers, balances), (expected, expected_balances) = compiled.run(from_parquet), _ibis_totals(from_csv)
    _same(customers, expected)
    _same(balances, expected_balances)
    # form-spec 11: deficits of 250 (7045), of which 160 offset by haircut securities (7047)
    assert [(r["customer_class"], r["currency"], r["deficit"], r["offset"]) for r in customers] == [
        ("futures", "USD", Decimal("250.0000000000"), Decimal("160.0000000000"))
    ]


def test_a_parquet_book_without_its_optional_tables_computes_as_with_ibis_and_without_pandas(tmp_path: Path) -> None:
    """Absent tables are empty views of typed nulls (registering empty Arrow tables would import pandas)."""
    from_csv = read_books(write_book(tmp_path / "csv", micro_example()))
    folder = _as_parquet(from_csv, tmp_path / "parquet")
    for name in ("positions", "securities", "fx"):
        (folder / f"{name}.parquet").unlink()
    code = (
        "import sys\nfrom dailyseg.compute import compiled, read_books\n"
        f"customers, _ = compiled.run(read_books({str(folder)!r}))\n"
        "print(repr(sorted(map(repr, customers))), 'pandas' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    expected, _ = _ibis_totals(read_books(folder))
    assert run.stdout.strip() == f"{sorted(map(repr, expected))!r} False"


def test_the_built_in_haircuts_are_the_schemas_table() -> None:
    rows = [{"type": t, "max_days": days, "haircut": Decimal(h)} for t, days, h in DEFAULT_HAIRCUTS]
    built = book_reading._default_haircuts()
    assert built.schema == TABLE["haircuts"].arrow_schema()
    assert built.to_pylist() == rows


def test_a_band_list_covers_each_type_once_in_order() -> None:
    """(after, until] bands: each starts where the one before ended, the last runs to the end of time."""
    rows: list[dict[str, Any]] = [
        {"type": "government", "max_days": 91, "haircut": Decimal(0)},
        {"type": "government", "max_days": None, "haircut": Decimal(6)},
    ]
    day = date(2013, 7, 25)
    bands = compiled.band_rows(rows, day)
    assert [(b["after"], b["until"], b["band_haircut"]) for b in bands] == [
        (date(1, 1, 1), date(2013, 10, 24), Decimal(0)),
        (date(2013, 10, 24), date(9999, 12, 31), Decimal(6)),
    ]


def test_a_negative_value_in_a_parquet_column_is_refused_naming_its_row(tmp_path: Path) -> None:
    """Regression: the sign check now reads the column's minimum first; the row named is still the first bad one."""
    table = TABLE["securities"]
    data = pa.table(
        {
            "account": ["A", "A", "A"],
            "security": ["S1", "S2", "S3"],
            "type": ["equity"] * 3,
            "currency": ["USD"] * 3,
            "market_value": pa.array([Decimal("1.00"), Decimal("-2.00"), Decimal("-3.00")], pa.decimal128(18, 2)),
            "depository": ["D0"] * 3,
        }
    )
    pq.write_table(data, tmp_path / "securities.parquet")
    with pytest.raises(BooksError) as caught:
        book_reading.check_parquet(tmp_path / "securities.parquet", table)
    assert caught.value.row == 2 and caught.value.column == "market_value"
    assert "found -2.00" in str(caught.value)
