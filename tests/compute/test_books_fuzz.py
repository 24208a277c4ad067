"""A bounded fuzz of the books reader: any cell of any table, any text, gives a computed filing or a BooksError.

Never another exception: a book is a user's export, and a damaged one must be named (file, row, column),
not end in a traceback from the CSV module, Arrow or an engine.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.compute import BooksError, compute, read_books
from dailyseg.compute.schema import TABLE
from tests.compute.bookkit import micro_example, write_book

_TABLES = micro_example()
_CELLS = [(name, row, column) for name, rows in _TABLES.items() for row in range(len(rows)) for column in TABLE[name].column]
_HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "1e5",
        "1_000",
        "\uff11\uff10",
        "9" * 40,
        "-" + "9" * 17,
        "0.000000001",
        "NaN",
        "-0",
        "=1+1",
        "true",
        "2013-02-30",
        "9999-12-31",
        "\x00",
        "a\nb",
        '"',
        "\ud800",
        "USD",
        "BANK",
        "futures",
        "A",
        "x" * 200_000,
    ]
)


@pytest.mark.slow  # each example computes a book: seconds in all
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(_CELLS), st.one_of(_HOSTILE, st.text(max_size=30))), min_size=1, max_size=3))
def test_any_cell_gives_a_filing_or_a_named_problem(cells: list[tuple[tuple[str, int, str], str]]) -> None:
    tables = {name: [dict(row) for row in rows] for name, rows in _TABLES.items()}
    for (name, row, column), value in cells:
        tables[name][row][column] = value
    with TemporaryDirectory() as folder:
        try:
            book = write_book(Path(folder), tables)
        except UnicodeEncodeError:
            return  # a lone surrogate cannot be written to a file at all: no book to read
        try:
            computation = compute(read_books(book))
        except BooksError as problem:
            assert problem.file.startswith(folder) and str(problem)
            return
        assert computation.filing.header.firm_name == "Test FCM LLC"
