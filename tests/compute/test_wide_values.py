"""Positions at the edge of the engine's narrow widths, and Parquet checks read from the file's statistics."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dailyseg.compute import BooksError, engine_totals, read_books
from dailyseg.compute.books import check_parquet
from dailyseg.compute.reference import totals
from dailyseg.compute.schema import TABLE
from tests.compute.bookkit import write_book


def _book(folder: Path, quantity: int, multiplier: str, trade: str, settlement: str, option: bool) -> Path:
    return write_book(
        folder,
        {
            "accounts": [{"account": "A", "class": "futures"}],
            "ledger": [{"account": "A", "currency": "USD", "cash": "0"}],
            "positions": [
                {
                    "account": "A",
                    "currency": "USD",
                    "instrument": "X",
                    "quantity": quantity,
                    "multiplier": multiplier,
                    "trade_price": trade,
                    "settlement_price": settlement,
                    "option": str(option).lower(),
                }
            ],
        },
    )


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # Below 10^9 each way: 10^9 x 100000 is 10^14, the first size refused (the test below).
    quantity=st.integers(-(10**9 - 1), 10**9 - 1),
    multiplier=st.sampled_from(("0.0001", "12.5", "100000", "99999.9999")),
    trade=st.integers(0, 10**18 - 1),
    settlement=st.integers(0, 10**18 - 1),
    option=st.booleans(),
)
@example(quantity=-(10**9 - 1), multiplier="100000", trade=10**18 - 1, settlement=0, option=False)  # the largest size taken
def test_products_past_64_bits_are_exact(tmp_path: Path, quantity: int, multiplier: str, trade: int, settlement: int, option: bool) -> None:
    # Sizes up to 10^14 times prices up to 10^12 (six places): products far past 2^63 units of 10^-10.
    folder = _book(tmp_path / "book", quantity, multiplier, str(Decimal(trade).scaleb(-6)), str(Decimal(settlement).scaleb(-6)), option)
    data = read_books(folder)
    assert engine_totals(data, "duckdb").normalized() == totals(data).normalized()


def test_the_first_size_past_the_engines_width_is_refused(tmp_path: Path) -> None:
    """Regression: the property above drew 10^9 x 100000, exactly 10^14, which the books refuse, as they must."""
    with pytest.raises(BooksError) as caught:
        read_books(_book(tmp_path / "book", -(10**9), "100000", "1", "1", False))
    assert "row 2" in str(caught.value) and "below 10^14, found -1000000000 x 100000" in str(caught.value)


def test_parquet_nulls_found_without_statistics(tmp_path: Path) -> None:
    # Without statistics the column is read, and the empty cell is named by row.
    table = pa.table({"account": ["A", None], "class": ["futures", "futures"]})
    path = tmp_path / "accounts.parquet"
    pq.write_table(table, path, write_statistics=False)
    with pytest.raises(BooksError) as error:
        check_parquet(path, TABLE["accounts"])
    assert "row 2" in str(error.value) and "account" in str(error.value)


def test_parquet_nulls_found_from_statistics(tmp_path: Path) -> None:
    table = pa.table({"account": ["A", "B", None], "class": ["futures", "swaps", "futures"]})
    path = tmp_path / "accounts.parquet"
    pq.write_table(table, path, row_group_size=2)
    with pytest.raises(BooksError) as error:
        check_parquet(path, TABLE["accounts"])
    assert "row 3" in str(error.value)


def test_parquet_unknown_value_named_with_its_row(tmp_path: Path) -> None:
    table = pa.table({"account": ["A", "B", "C"], "class": ["futures", "swaps", "options"]})
    path = tmp_path / "accounts.parquet"
    pq.write_table(table, path)
    with pytest.raises(BooksError) as error:
        check_parquet(path, TABLE["accounts"])
    assert "row 3" in str(error.value) and "'options'" in str(error.value)
