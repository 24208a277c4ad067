"""Books that cannot be right are refused before anything is computed or written, naming table, row and column.

Each case was accepted silently before: amounts in forms no ledger export writes, a USD rate other than 1
(a rate of 2 doubled every dollar) or a rate of 0, an empty ledger, a position size past the engines'
width (a raw DuckDB or Spark overflow), and totals too large for any filing to carry.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dailyseg.cli import main
from dailyseg.compute import BooksError, compute, read_books
from dailyseg.compute.schema import TABLE
from tests.compute.bookkit import micro_example, write_book


def _as_parquet(folder: Path, name: str, data: pa.Table) -> None:
    pq.write_table(data, folder / f"{name}.parquet")
    (folder / f"{name}.csv").unlink()


@pytest.mark.parametrize(
    "amount", ["1e5", "1E5", "1_000", "\uff11\uff10\uff10\uff10", "\u0661\u0660\u0660", "Infinity", "NaN", "0x10", "1,00"]
)
def test_an_amount_in_another_form_is_refused(tmp_path: Path, amount: str) -> None:
    tables = micro_example()
    tables["ledger"][1]["cash"] = amount
    with pytest.raises(BooksError) as caught:
        read_books(write_book(tmp_path, tables))
    assert (Path(caught.value.file).name, caught.value.row, caught.value.column) == ("ledger.csv", 3, "cash")
    assert f"found {amount!r}" in str(caught.value)


@pytest.mark.parametrize(("amount", "value"), [("1,000.50", "1000.50"), ("-1000.5", "-1000.50"), ("+12", "12.00"), ("  7 ", "7.00")])
def test_the_forms_a_ledger_export_writes_are_read(tmp_path: Path, amount: str, value: str) -> None:
    tables = micro_example()
    tables["ledger"][1]["cash"] = amount
    assert read_books(write_book(tmp_path, tables)).arrow("ledger")["cash"][1].as_py() == Decimal(value)


@pytest.mark.parametrize(
    ("currency", "rate", "wanted"),
    [("USD", "2", "1 (USD is the unit)"), ("USD", "0.99999999", "1 (USD is the unit)"), ("EUR", "0", "a rate above zero")],
)
@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_rate_that_cannot_be_right_is_refused(tmp_path: Path, currency: str, rate: str, wanted: str, form: str) -> None:
    tables = micro_example()
    tables["fx"] = [{"currency": "CHF", "rate": "1.1"}, {"currency": currency, "rate": rate}]
    folder = write_book(tmp_path, tables)
    if form == "parquet":
        rates = pa.array([Decimal("1.1"), Decimal(rate)], pa.decimal128(18, 8))
        _as_parquet(folder, "fx", pa.table({"currency": ["CHF", currency], "rate": rates}))
    with pytest.raises(BooksError) as caught:
        read_books(folder)
    assert (Path(caught.value.file).name, caught.value.row, caught.value.column) == (f"fx.{form}", 3 if form == "csv" else 2, "rate")
    assert f"expected {wanted} for {currency!r}" in str(caught.value)


@pytest.mark.parametrize("table", ["ledger", "accounts"])
@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_an_empty_ledger_or_accounts_table_is_refused(tmp_path: Path, table: str, form: str) -> None:
    tables = micro_example()
    tables["ledger"] = []  # an account with no ledger row is fine; a ledger naming no account is not
    if table == "accounts":
        tables["accounts"] = []
    folder = write_book(tmp_path, tables)
    if form == "parquet":
        _as_parquet(folder, table, TABLE[table].arrow_schema().empty_table())
    with pytest.raises(BooksError) as caught:
        read_books(folder)
    assert Path(caught.value.file).name == f"{table}.{form}"
    assert f"expected at least one row in the {table} table, found none" in str(caught.value)


def _positions(quantity: int, multiplier: str) -> dict[str, list[dict[str, object]]]:
    tables: dict[str, list[dict[str, object]]] = {k: list(v) for k, v in micro_example().items()}
    position = {"currency": "USD", "instrument": "X", "trade_price": "1", "settlement_price": "1", "option": "false"}
    tables["positions"] = [
        {"account": "A", "quantity": 5, "multiplier": "50", **position},
        {"account": "C", "quantity": quantity, "multiplier": multiplier, **position},
    ]
    return tables


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_position_past_the_engines_width_is_refused_naming_its_row(tmp_path: Path, form: str) -> None:
    folder = write_book(tmp_path, _positions(10**13, "10"))
    if form == "parquet":
        positions = read_books(write_book(tmp_path / "ok", _positions(1, "1"))).arrow("positions")
        positions = positions.set_column(3, "quantity", pa.array([5, 10**13], pa.int64()))
        positions = positions.set_column(4, "multiplier", pa.array([50, 10], pa.decimal128(18, 4)))
        _as_parquet(folder, "positions", positions)
    with pytest.raises(BooksError) as caught:
        read_books(folder)
    assert (Path(caught.value.file).name, caught.value.row, caught.value.column) == (
        f"positions.{form}",
        3 if form == "csv" else 2,
        "quantity",
    )
    assert "expected a position size (quantity x multiplier) below 10^14, found 10000000000000 x 10" in str(caught.value)


def test_the_largest_position_the_engines_value_is_read(tmp_path: Path) -> None:
    books = read_books(write_book(tmp_path, _positions(10**13 - 1, "9.9999")))
    assert books.arrow("positions").num_rows == 2


def test_totals_too_large_for_a_filing_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    """The defect: 7070 came out as 300,000,003,523,336,137, which dailyseg's reader and store then refused."""
    tables = micro_example()
    big = "9999999999999999.00"
    tables["balances"] = [dict(row, amount=big) if row.get("asset") == "cash" else row for row in tables["balances"]]
    tables["balances"].append({**tables["balances"][0], "amount": big})
    folder = write_book(tmp_path, tables)
    books = read_books(folder)
    with pytest.raises(BooksError) as caught:
        compute(books)
    assert Path(caught.value.file).name == "balances.csv" and caught.value.column == "amount"
    assert "totals 19,999,999,999,999,998: a filing carries at most 15 digits before the point" in str(caught.value)
    out = tmp_path / "filing.txt"
    run = CliRunner().invoke(main, ["compute", str(folder), "-o", str(out)])
    assert run.exit_code == 2 and "a filing carries at most 15 digits" in run.output and "Traceback" not in run.output
    assert not out.exists()


def test_a_cell_past_the_csv_modules_limit_is_named(tmp_path: Path) -> None:
    """Found by the books fuzz: a 200,000-character cell ended in `_csv.Error` instead of naming the file and row."""
    tables = micro_example()
    tables["accounts"][2]["account"] = "x" * 200_000
    with pytest.raises(BooksError) as caught:
        read_books(write_book(tmp_path, tables))
    assert (Path(caught.value.file).name, caught.value.row) == ("accounts.csv", 4)
    assert "field larger than field limit" in str(caught.value)
