"""Running totals (`totals.RunningTotals`): after any sequence of firms' tables changing, appearing and going,
they equal `added_up` of the tables held now, and they read only the tables whose key moved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.store.totals import RunningTotals
from dailyseg.store.types import HistoryColumns
from tests.store.added_up import added_up

CODES = ["1", "2", "3"]
DAYS = [date(2024, 3, 1) + timedelta(days=i) for i in range(8)]
# Small amounts too, so that a firm's next table often agrees with its last on its first days (as after a
# filing) and only the rest is taken out and added again.
cents = st.one_of(st.none(), st.integers(-1, 1), st.integers(min_value=-(10**15), max_value=10**15))


@st.composite
def tables(draw: st.DrawFn) -> HistoryColumns:
    """A firm's table: some of the days, and per code (some codes absent) the cents of each day, or None."""
    days = sorted(draw(st.sets(st.sampled_from(DAYS))))
    carried = draw(st.lists(st.sampled_from(CODES), unique=True))
    columns = {code: draw(st.lists(cents, min_size=len(days), max_size=len(days))) for code in carried}
    return HistoryColumns(days, list(range(1, len(days) + 1)), [False] * len(days), columns)


# Each step: the firms held then, each with the key its table was read at and that table.
states = st.lists(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.tuples(st.integers(0, 2), tables())), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(states)
def test_running_totals_equal_the_tables_added_up(steps: list[dict[str, tuple[int, HistoryColumns]]]) -> None:
    running = RunningTotals[int](CODES)
    held: dict[str, tuple[int, HistoryColumns]] = {}
    for step in steps:
        read: list[str] = []

        def table_of(
            firm_id: str,
            before: tuple[int, HistoryColumns] | None,
            step: dict[str, tuple[int, HistoryColumns]] = step,
            read: list[str] = read,
            held: dict[str, tuple[int, HistoryColumns]] = held,
        ) -> HistoryColumns:
            assert before == held.get(firm_id)  # what it held at the key before, to read from in part
            read.append(firm_id)
            return step[firm_id][1]

        found = running.now({firm_id: key for firm_id, (key, _) in step.items()}, table_of)
        assert sorted(read) == sorted(f for f, (key, _) in step.items() if f not in held or held[f][0] != key)
        # A firm held at the same key keeps its table: its read is skipped, as a server's would be.
        held = {f: held[f] if f in held and held[f][0] == key else (key, table) for f, (key, table) in step.items()}
        assert found == added_up((table for _, table in held.values()), CODES)


def test_a_failed_read_leaves_the_totals_as_they_were() -> None:
    table = HistoryColumns(DAYS[:2], [1, 2], [False, False], {"1": [100, None], "2": [None, 5]})
    running = RunningTotals[int](CODES)
    before = running.now({"a": 1}, lambda firm_id, held: table)

    def failing(firm_id: str, held: tuple[int, HistoryColumns] | None) -> HistoryColumns:
        raise OSError("the store is gone")

    with pytest.raises(OSError):
        running.now({"a": 2}, failing)
    assert running.now({"a": 1}, failing) == before == added_up([table], CODES)
    assert before.firms == [1, 1] and before.cents == {"1": [100, None], "2": [None, 5], "3": [None, None]}
