"""A bounded fuzz of the readers of published figures: CFTC monthly tables (cells and fixed-width text) and
NFA's saved summaries. Any input gives a table or summaries with problems, never an exception, in time
linear in its size.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.watch.cftc import MAX_COLUMNS, fixed_width_cells, parse_table
from dailyseg.watch.nfa import read_text
from tests.store.test_cftc_eras import TABLE_2006, TABLE_2011
from tests.watch import nfa_pages as pages

_FRAGMENTS = st.sampled_from(
    ["", " ", "  ", "(g)", "1,234", "(1,234)", "12/31/2015", "AS OF", "Futures Commission Merchant", "\x00", "\ud800", "9" * 40, "%", "$"]
)
_CELL = st.one_of(st.none(), _FRAGMENTS, st.text(max_size=20), st.integers(-(10**20), 10**20))


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=150, deadline=None)
@given(data=st.data(), table=st.sampled_from([TABLE_2006, TABLE_2011]))
def test_any_cell_of_a_cftc_table_gives_a_table(data: st.DataObject, table: list[list[object]]) -> None:
    cells = [list(row) for row in table]
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(0, len(cells) - 1))
        if cells[row]:
            cells[row][data.draw(st.integers(0, len(cells[row]) - 1))] = data.draw(_CELL)
    read = parse_table(cells, "table.csv")
    assert all(message.startswith("table.csv") for message in read.skipped)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab 1,.()$%\n\tFCM:/")), max_size=400))
def test_any_text_gives_fixed_width_cells_and_summaries(text: str) -> None:
    parse_table(fixed_width_cells(text), "table.txt")
    assert all(p.source == "page.txt" for p in read_text(text, "page.txt").problems)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(page=st.sampled_from([pages.SEG_WITH_NAVIGATION, pages.ALL_POOLS, pages.SWAPS_DEFICIENT]), data=st.data())
def test_a_mutated_nfa_page_reads_with_problems_never_an_exception(page: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(page)))
    cut = data.draw(st.integers(0, 40))
    text = page[:at] + data.draw(_FRAGMENTS) * data.draw(st.integers(1, 50)) + page[at + cut :]
    read = read_text(text, "page.txt")
    assert all(p.source == "page.txt" and p.message for p in read.problems)


def _seconds(work: Callable[[], object]) -> float:
    """The fastest of three runs in CPU time: what the work costs, not what else the machine was doing."""
    times = []
    for _ in range(3):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


@pytest.mark.parametrize(
    "document",
    [
        # The defect: a long line after many short ones was compared column by column over every line (45 KB: 12 s).
        lambda n: "\n".join("a  b" for _ in range(n)) + "\nA  B" + "x" * (4 * n) + "\n",
        # ... and short lines were given a cell for every column of the widest line.
        lambda n: "\n".join("a  b" for _ in range(n)) + "\n" + "x  " * n + "\n",
        # A header of thousands of columns, each row then read against all of them.
        lambda n: "Futures Commission Merchant  " + "x  " * n + "\n" + "\n".join("a  1" for _ in range(n)),
    ],
)
def test_fixed_width_tables_take_linear_time(document: Callable[[int], str]) -> None:
    small = _seconds(lambda: parse_table(fixed_width_cells(document(4_000)), "t.txt"))
    large = _seconds(lambda: parse_table(fixed_width_cells(document(16_000)), "t.txt"))
    assert large < max(small, 0.005) * 4 * 3  # four times the input: linear with a margin, quadratic would be 16x
    assert large < 1.0


def test_a_header_of_too_many_columns_is_refused_with_its_reason() -> None:
    read = parse_table(fixed_width_cells("Futures Commission Merchant  " + "x  " * 300 + "\nAcme  1\n"), "t.txt")
    assert read.rows == [] and read.skipped == [f"t.txt:1: the header names 301 columns; a CFTC table has at most {MAX_COLUMNS}: not read"]
