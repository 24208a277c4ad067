"""Totals a filing can carry: checked after computing and before anything is written.

Each table's amounts fit their columns, but their sums need not fit a filing: 7070 summed from balances of
sixteen digits came out as 300,000,003,523,336,137, which dailyseg's own reader and store refuse. A filing
that could never be read back is refused here instead, naming the line and the table (and, for a table
held in memory, the row with the largest amount) it was summed from.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from dailyseg.catalogue import CATALOGUE
from dailyseg.compute.books import Books
from dailyseg.compute.config import BooksError
from dailyseg.compute.schema import TABLE
from dailyseg.filing import Filing
from dailyseg.money import MAX_INTEGER_DIGITS, fits, format_amount

# The tables each kind of catalogue source sums (see `[sources]` in statements.toml).
_SUMMED = {"customer": ("ledger", "positions", "securities"), "depository": ("balances",)}


def check_scale(filing: Filing, books: Books) -> None:
    """Raise BooksError for the first line whose total has more digits than a filing carries."""
    for entry in filing.entries:
        if fits(entry.amount):
            continue
        source = CATALOGUE.sources.get(entry.ref)
        label = CATALOGUE.row(entry.ref).label
        total = f"line {entry.ref} ({label}) totals {format_amount(entry.amount)}"
        limit = f"a filing carries at most {MAX_INTEGER_DIGITS} digits before the point"
        if source is None or source.table not in _SUMMED:
            raise BooksError(str(books.folder), f"{total}, derived from other lines: {limit}")
        largest = _largest(books, _SUMMED[source.table])
        if largest is None:
            raise BooksError(str(books.folder), f"{total}, summed from the {' and '.join(_SUMMED[source.table])} tables: {limit}")
        name, row, column, amount = largest
        raise BooksError(name, f"{total}: {limit}; the largest amount summed into it is {format_amount(amount)}", row=row, column=column)


def _largest(books: Books, names: tuple[str, ...]) -> tuple[str, int, str, Decimal] | None:
    """The file, row, column and value of the largest amount in the tables held in memory."""
    best: tuple[str, int, str, Decimal] | None = None
    for name in names:
        data = books.tables[name]
        if not isinstance(data, pa.Table) or data.num_rows == 0:
            continue
        file = str(books.folder / f"{name}.csv")
        for column in (c.name for c in TABLE[name].columns if c.type == "amount"):
            magnitudes = pc.abs(data[column])
            index = pc.index(magnitudes, pc.max(magnitudes)).as_py()
            value = data[column][index].as_py() if index >= 0 else None
            if value is not None and (best is None or abs(value) > abs(best[3])):
                best = (file, index + 2, column, value)
    return best
