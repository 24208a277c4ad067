"""Reading a book: a folder with firm.toml and one CSV or Parquet file per table.

CSV files are read cell by cell into exact Arrow tables, so a bad cell is reported with its file, row
(the line number a spreadsheet shows), column, what was expected and what was found. Parquet files are
checked column by column (types, allowed values, signs) without being loaded whole: the engine reads them
itself, which is what lets a book of millions of accounts be computed in little memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeAlias, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dailyseg.compute.config import BooksError, FirmConfig, read_config
from dailyseg.compute.schema import (
    ARROW_TYPES,
    DEFAULT_HAIRCUTS,
    MAX_POSITION_SIZE_DIGITS,
    NONEMPTY_TABLES,
    PLACES,
    TABLE,
    TABLES,
    Column,
    Table,
)

TableData: TypeAlias = "pa.Table | Path"
_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_SEARCH_ORDER = (".parquet", ".csv")
# The one form a number takes in a book's CSV: ASCII digits, grouped by commas or not, a point and decimals.
# `Decimal` alone also takes "1e5", "1_000", "Infinity" and digits of other scripts ("１０００"): none is a
# figure a ledger export writes, and each is more likely a damaged cell than a number.
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_MAX_POSITION_SIZE = Decimal(10) ** MAX_POSITION_SIZE_DIGITS


@dataclass(frozen=True)
class Books:
    """One business day's books: the configuration and every table (in memory, or a Parquet file)."""

    folder: Path
    config: FirmConfig
    tables: Mapping[str, TableData]

    def arrow(self, name: str) -> pa.Table:
        """A table as exact Arrow data in the schema's column order (reads a Parquet file whole)."""
        data = self.tables[name]
        if isinstance(data, pa.Table):
            return data
        return conform(pq.ParquetFile(data).read(), TABLE[name], str(data))

    def rows(self, name: str) -> list[dict[str, Any]]:
        """A table as Python rows (Decimal amounts): what the reference implementation reads."""
        return cast(list[dict[str, Any]], self.arrow(name).to_pylist())


def _cell(file: str, row: int, column: Column, text: str) -> Any:
    text = text.strip()
    if text == "":
        if column.required:
            raise BooksError(file, f"expected {_expected(column)}, found an empty cell", row=row, column=column.name)
        return None
    if column.type == "text":
        if column.allowed and text not in column.allowed:
            raise BooksError(file, f"expected one of {', '.join(column.allowed)}, found {text!r}", row=row, column=column.name)
        return text
    if column.type == "flag":
        if text.lower() not in _FLAGS:
            raise BooksError(file, f"expected true or false, found {text!r}", row=row, column=column.name)
        return _FLAGS[text.lower()]
    if column.type == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BooksError(file, f"expected a date such as 2013-07-25, found {text!r}", row=row, column=column.name) from None
    return _number(file, row, column, text)


def _expected(column: Column) -> str:
    if column.type in PLACES:
        places = PLACES[column.type]
        kind = "a whole number" if places == 0 else f"a number with at most {places} decimal places"
        return kind + (" of zero or more" if column.nonnegative else "")
    return {"text": "text", "flag": "true or false", "date": "a date"}[column.type]


def _number(file: str, row: int, column: Column, text: str) -> Decimal | int:
    try:
        value = Decimal(text.replace(",", "")) if _NUMBER.fullmatch(text) else Decimal("NaN")
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        value = Decimal("NaN")
    places = PLACES[column.type]
    exponent = value.as_tuple().exponent
    arrow = ARROW_TYPES[column.type]
    digits = arrow.precision - arrow.scale if isinstance(arrow, pa.Decimal128Type) else 18
    if (
        not value.is_finite()
        or (isinstance(exponent, int) and exponent < -places and value != value.quantize(Decimal(1).scaleb(-places)))
        or abs(value) >= Decimal(10) ** digits
        or (column.nonnegative and value < 0)
    ):
        raise BooksError(file, f"expected {_expected(column)}, found {text!r}", row=row, column=column.name)
    if column.type == "integer":
        return int(value)
    return value.quantize(Decimal(1).scaleb(-places))


def read_csv(path: Path, table: Table) -> pa.Table:
    """Read and check a CSV file against its table's schema."""
    file = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise BooksError(file, f"cannot open: {error.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise BooksError(file, "empty file: expected a header row", row=1) from None
        except UnicodeDecodeError:
            raise BooksError(file, "expected UTF-8 text", row=1) from None
        except csv.Error as error:
            raise BooksError(file, f"expected a header row of CSV cells, found {error}", row=1) from None
        _check_header(file, header, table)
        columns: dict[str, list[Any]] = {c.name: [] for c in table.columns}
        try:
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    raise BooksError(file, f"expected {len(header)} cells, found {len(cells)}", row=number)
                values = dict(zip(header, cells, strict=True))
                for column in table.columns:
                    columns[column.name].append(_cell(file, number, column, values.get(column.name, "")))
        except UnicodeDecodeError:
            raise BooksError(file, "expected UTF-8 text") from None
        except csv.Error as error:  # a field past the CSV module's limit (131,072 characters), a stray NUL
            raise BooksError(file, f"expected CSV cells, found {error}", row=reader.line_num) from None
    return pa.table({c.name: pa.array(columns[c.name], ARROW_TYPES[c.type]) for c in table.columns})


def _check_header(file: str, header: list[str], table: Table) -> None:
    known = table.column
    for name in header:
        if name not in known:
            raise BooksError(file, f"unexpected column {name!r}; expected columns: {', '.join(known)}", row=1)
    for column in table.columns:
        if column.required and column.name not in header:
            raise BooksError(file, f"missing column {column.name!r} ({_expected(column)})", row=1, column=column.name)


def conform(data: pa.Table, table: Table, file: str) -> pa.Table:
    """Cast a Parquet table to the schema's exact types, adding absent optional columns as empty."""
    columns = []
    for column in table.columns:
        target = ARROW_TYPES[column.type]
        if column.name not in data.column_names:
            columns.append(pa.nulls(data.num_rows, target))
            continue
        try:
            columns.append(data[column.name].cast(target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise BooksError(file, f"expected {_expected(column)}: {error}", column=column.name) from None
    return pa.table(columns, schema=table.arrow_schema())


def check_parquet(path: Path, table: Table) -> None:
    """Check a Parquet file's columns, types, allowed values and signs in one pass over the columns that need it.

    A required column whose every row group records a null count of zero needs no reading: that count is
    written with the data and is exact, so the bulk of a large book (its positions) is checked from the
    file's footer. Allowed values and signs are always read (min/max statistics of decimals are not
    trusted across writers).
    """
    file = str(path)
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as error:
        raise BooksError(file, f"not a readable Parquet file: {error}") from None
    schema = parquet.schema_arrow
    _check_header(file, list(schema.names), table)
    to_read = []
    for column in table.columns:
        if column.name not in schema.names:
            continue
        found, target = schema.field(column.name).type, ARROW_TYPES[column.type]
        if not _castable(found, target):
            raise BooksError(file, f"expected {_expected(column)} ({target}), found type {found}", column=column.name)
        if (
            column.allowed
            or column.nonnegative
            or (column.required and not _never_null(parquet, column.name))
            or (table.name == "positions" and column.name in _SIZE_COLUMNS)
        ):
            to_read.append(column)
    if not to_read:
        return
    offset = 0
    coded = [c.name for c in to_read if c.allowed]  # few distinct values: read as dictionary codes
    batches = pq.ParquetFile(path, read_dictionary=coded).iter_batches(columns=[c.name for c in to_read], batch_size=1 << 20)
    for batch in batches:
        for column in to_read:
            _check_values(file, column, batch.column(column.name), offset)
        if table.name == "positions":
            _check_sizes(file, batch.column("quantity"), batch.column("multiplier"), offset, header_rows=0)
        offset += batch.num_rows


def _never_null(parquet: pq.ParquetFile, name: str) -> bool:
    """Whether the file's own statistics show the column has no null in any row group."""
    leaves = [parquet.schema.column(i).path for i in range(len(parquet.schema))]
    if leaves.count(name) != 1:
        return False  # a nested column (or none by that name): read it
    index = leaves.index(name)
    metadata = parquet.metadata
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(index).statistics
        if statistics is None or not statistics.has_null_count or statistics.null_count != 0:
            return False
    return True


def _castable(found: pa.DataType, target: pa.DataType) -> bool:
    return bool(_castable_any(found, target))


def _castable_any(found: pa.DataType, target: pa.DataType) -> Any:
    if found == target:
        return True
    if pa.types.is_decimal(target):
        if pa.types.is_integer(found):
            return True
        return (
            pa.types.is_decimal(found) and found.scale <= target.scale and found.precision - found.scale <= target.precision - target.scale
        )
    if pa.types.is_string(target):
        return pa.types.is_large_string(found) or pa.types.is_dictionary(found)
    if pa.types.is_integer(target):
        return pa.types.is_integer(found)
    return False


def _check_values(file: str, column: Column, values: pa.Array, offset: int) -> None:
    def first(mask: pa.Array) -> int | None:
        if not pc.any(mask).as_py():  # the usual case, one cheap pass; nulls in the mask never count
            return None
        return int(pc.indices_nonzero(pc.fill_null(mask, False))[0].as_py())

    bad = None
    if column.required:
        bad = first(pc.is_null(values))
        if bad is not None:
            raise BooksError(file, f"expected {_expected(column)}, found an empty value", row=offset + bad + 1, column=column.name)
    if column.allowed:
        # The distinct values, not a set lookup per row: a column of allowed values has few (and
        # building pyarrow's lookup options would import pandas).
        unknown = [v for v in pc.unique(values).to_pylist() if v is not None and v not in column.allowed]
        if unknown:
            plain = values.dictionary_decode() if pa.types.is_dictionary(values.type) else values
            bad = min(int(pc.indices_nonzero(pc.equal(plain, v))[0].as_py()) for v in unknown)
            raise BooksError(
                file, f"expected one of {', '.join(column.allowed)}, found {plain[bad].as_py()!r}", row=offset + bad + 1, column=column.name
            )
    if column.nonnegative and _below_zero(values):
        bad = first(pc.less(values, 0))
        if bad is not None:
            raise BooksError(file, f"expected {_expected(column)}, found {values[bad].as_py()}", row=offset + bad + 1, column=column.name)


def _magnitude(values: pa.Array) -> Decimal:
    """The largest absolute value in a column (zero for a column of nulls or no rows)."""
    extremes = pc.min_max(values).as_py()
    return max((abs(Decimal(v)) for v in extremes.values() if v is not None), default=Decimal(0))


def _below_zero(values: pa.Array) -> bool:
    """Whether any value is negative, from the column's minimum (comparing with a Python 0 would import pandas)."""
    least = pc.min(values).as_py()
    return least is not None and least < 0


_SIZE_COLUMNS = ("quantity", "multiplier")


def _check_sizes(file: str, quantity: Any, multiplier: Any, offset: int, *, header_rows: int) -> None:
    """Every position's size (quantity x multiplier) fits the width the engines value it in.

    The largest quantity times the largest multiplier bounds every size: when that fits, as in any real book,
    no product is computed row by row (a third of the time of reading a book of a million positions)."""
    if _magnitude(quantity) * _magnitude(multiplier) < _MAX_POSITION_SIZE:
        return
    size = pc.abs(pc.multiply(pc.cast(quantity, pa.decimal128(19, 0)), multiplier))
    too_large = pc.greater_equal(size, pa.scalar(_MAX_POSITION_SIZE, pa.decimal128(38, 4)))
    if not pc.any(too_large).as_py():
        return
    bad = int(pc.indices_nonzero(pc.fill_null(too_large, False))[0].as_py())
    raise BooksError(
        file,
        f"expected a position size (quantity x multiplier) below 10^{MAX_POSITION_SIZE_DIGITS}, "
        f"found {quantity[bad].as_py()} x {multiplier[bad].as_py()}",
        row=offset + bad + 1 + header_rows,
        column="quantity",
    )


def _check_rows(file: str, data: TableData, table: Table) -> None:
    """A table that must hold rows holds at least one (a header alone is an export that failed)."""
    rows = data.num_rows if isinstance(data, pa.Table) else pq.ParquetFile(data).metadata.num_rows
    if table.name in NONEMPTY_TABLES and rows == 0:
        raise BooksError(file, f"expected at least one row in the {table.name} table, found none", row=2 if file.endswith(".csv") else 1)


def _locate(folder: Path, name: str) -> Path | None:
    for suffix in _SEARCH_ORDER:
        path = folder / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def _default_haircuts() -> pa.Table:
    """The built-in haircut table, read by Arrow's own CSV reader: Arrow arrays made from Python values would
    import pandas (0.4 CPU s) into every computation of a book with no haircut table."""
    import pyarrow.csv as pa_csv

    text = "\n".join(["type,max_days,haircut", *(f"{t},{'' if days is None else days},{h}" for t, days, h in DEFAULT_HAIRCUTS)])
    options = pa_csv.ConvertOptions(column_types=TABLE["haircuts"].arrow_schema(), strings_can_be_null=False)
    return pa_csv.read_csv(io.BytesIO(text.encode()), convert_options=options)


def _empty(table: Table) -> pa.Table:
    """An absent optional table: no rows, the schema's columns (built from typed nulls, for the reason above)."""
    schema = table.arrow_schema()
    return pa.table([pa.nulls(0, field.type) for field in schema], schema=schema)


def _check_keys(file: str, data: pa.Table, table: Table) -> None:
    if not table.key or data.num_rows == 0:
        return
    counts = data.group_by(list(table.key)).aggregate([([], "count_all")])
    duplicated = counts.filter(pc.greater(counts["count_all"], 1))
    if duplicated.num_rows:
        key = {k: duplicated[k][0].as_py() for k in table.key}
        raise BooksError(file, f"expected one row per {', '.join(table.key)}; found {duplicated['count_all'][0].as_py()} rows for {key}")


def _check_references(tables: Mapping[str, TableData], files: Mapping[str, str]) -> None:
    """Every account and depository named in a table exists in its own table (checked for in-memory tables)."""
    references = (
        ("ledger", "account", "accounts", "account"),
        ("positions", "account", "accounts", "account"),
        ("securities", "account", "accounts", "account"),
        ("securities", "depository", "depositories", "depository"),
        ("balances", "depository", "depositories", "depository"),
    )
    for name, column, target, key in references:
        data, known = tables[name], tables[target]
        if not isinstance(data, pa.Table) or not isinstance(known, pa.Table) or data.num_rows == 0:
            continue
        missing = pc.indices_nonzero(pc.invert(pc.is_in(data[column], value_set=known[key])))
        if len(missing):
            index = int(missing[0].as_py())
            raise BooksError(
                files[name],
                f"expected a {key} listed in {files[target]}, found {data[column][index].as_py()!r}",
                row=index + 2 if files[name].endswith(".csv") else index + 1,
                column=column,
            )


def _check_rates(tables: Mapping[str, TableData], files: Mapping[str, str]) -> None:
    """Every currency used has a rate above zero; USD, the unit, has none or exactly 1 (a rate of 2 would double
    every dollar)."""
    fx = tables["fx"]
    table = fx if isinstance(fx, pa.Table) else pq.ParquetFile(fx).read(columns=["currency", "rate"])  # a few dozen rows
    header_rows = 1 if files["fx"].endswith(".csv") else 0
    for index, (currency, rate) in enumerate(zip(table["currency"].to_pylist(), table["rate"].to_pylist(), strict=True)):
        if rate is None or rate <= 0 or (currency == "USD" and rate != 1):
            wanted = "1 (USD is the unit)" if currency == "USD" else "a rate above zero"
            raise BooksError(files["fx"], f"expected {wanted} for {currency!r}, found {rate:f}", row=index + 1 + header_rows, column="rate")
    rates = set(table["currency"].to_pylist())
    rates.add("USD")
    for name in ("ledger", "positions", "securities", "balances"):
        data = tables[name]
        currencies = data["currency"].unique().to_pylist() if isinstance(data, pa.Table) else _parquet_unique(data, "currency")
        for currency in currencies:
            if currency not in rates:
                raise BooksError(
                    files["fx"], f"expected a rate to USD for {currency!r}, used in {files[name]}; found none", column="currency"
                )


def _parquet_unique(path: Path, column: str) -> list[Any]:
    """The distinct values of a text column, read as dictionary codes (cheap for a column of few values)."""
    found: set[Any] = set()
    for batch in pq.ParquetFile(path, read_dictionary=[column]).iter_batches(columns=[column], batch_size=1 << 20):
        found.update(pc.unique(batch.column(0)).to_pylist())
    return sorted(found)


def read_books(folder: str | Path) -> Books:
    """Read and check a book folder; a problem raises BooksError with its file, row, column and reason."""
    root = Path(folder)
    if not root.is_dir():
        raise BooksError(str(root), "expected a folder holding firm.toml and the tables of a book")
    config = read_config(root / "firm.toml")
    tables: dict[str, TableData] = {}
    files: dict[str, str] = {}
    for table in TABLES:
        path = _locate(root, table.name)
        files[table.name] = str(path or root / f"{table.name}.csv")
        if path is None:
            if table.required:
                raise BooksError(str(root / f"{table.name}.csv"), f"missing: a book needs the {table.name} table (.csv or .parquet)")
            tables[table.name] = _default_haircuts() if table.name == "haircuts" else _empty(table)
        elif path.suffix == ".csv":
            data = read_csv(path, table)
            _check_keys(str(path), data, table)
            if table.name == "positions" and data.num_rows:
                _check_sizes(str(path), data["quantity"].combine_chunks(), data["multiplier"].combine_chunks(), 0, header_rows=1)
            tables[table.name] = data
        else:
            check_parquet(path, table)
            tables[table.name] = path
        _check_rows(files[table.name], tables[table.name], table)
    _check_references(tables, files)
    _check_rates(tables, files)
    return Books(root, config, tables)
