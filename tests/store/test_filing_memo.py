"""Filings a store rebuilt lately are kept for the next read (store/filing_memo.py): what it hands back must be
what the database holds, read whole or with some lines only, in any order and with repeats, and a version is
known by its id and its content hash together; the memo keeps its bound, least recently used going first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.filing import Filing
from dailyseg.store import Store
from dailyseg.store.filing_memo import RebuiltFilings
from dailyseg.store.synthetic import series
from dailyseg.store.types import FilingVersion
from dailyseg.watch.monitor import EVENT_CODES


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[FilingVersion]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('memo') / 'store.sqlite'}"
    with Store.open(url) as store:
        store.ingest_filings(list(series("Memo Futures LLC", date(2024, 1, 2), date(2024, 2, 29), seed=3)), source="test")
        firm_id = store.firm_ids()[0]
        yield store, [v for group in store.day_versions(firm_id, None, None).values() for v in group]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.lists(st.integers(0, 39), max_size=12), st.booleans()), min_size=1, max_size=6))
def test_what_the_memo_hands_back_is_what_the_database_holds(
    stored: tuple[Store, list[FilingVersion]], reads: list[tuple[list[int], bool]]
) -> None:
    store, versions = stored
    with Store.open(str(store.engine.url)) as fresh:  # a memo of its own for every example
        for picks, narrow in reads:
            asked = [versions[i % len(versions)] for i in picks]
            codes = EVENT_CODES if narrow else None
            with Store.open(str(store.engine.url)) as plain:  # nothing kept yet: every filing from the database
                assert fresh.contents(asked, codes) == plain.contents(asked, codes)


def test_a_filing_read_again_is_not_fetched_again(stored: tuple[Store, list[FilingVersion]]) -> None:
    store, versions = stored
    fetched: list[int] = []

    def read(missing: list[FilingVersion]) -> list[Filing]:
        fetched.extend(v.id for v in missing)
        return Store(store.engine).contents(missing)

    memo = RebuiltFilings()
    first = memo.contents(versions[:5], None, read)
    assert memo.contents(versions[3:8], None, read) == first[3:] + Store(store.engine).contents(versions[5:8])
    assert fetched == [v.id for v in versions[:8]]
    memo.contents(versions[:2], ("7190",), read)  # other lines: another reading
    assert fetched[8:] == [versions[0].id, versions[1].id]


def test_a_version_is_its_id_and_its_content_hash(stored: tuple[Store, list[FilingVersion]]) -> None:
    store, versions = stored
    memo = RebuiltFilings()
    calls: list[list[int]] = []

    def read(missing: list[FilingVersion]) -> list[Filing]:
        calls.append([v.id for v in missing])
        return Store(store.engine).contents(missing)

    memo.contents(versions[:1], None, read)
    memo.contents([replace(versions[0], content_hash="another filing under a reused id")], None, read)
    assert calls == [[versions[0].id], [versions[0].id]]


def test_the_memo_keeps_its_bound_least_recently_used_first(stored: tuple[Store, list[FilingVersion]]) -> None:
    store, versions = stored
    memo = RebuiltFilings(size=3)
    fetched: list[int] = []

    def read(missing: list[FilingVersion]) -> list[Filing]:
        fetched.extend(v.id for v in missing)
        return Store(store.engine).contents(missing)

    memo.contents(versions[:3], None, read)
    memo.contents(versions[:1], None, read)  # the first is used again: the second is now the oldest
    memo.contents(versions[3:4], None, read)
    fetched.clear()
    memo.contents([versions[0], versions[2], versions[3]], None, read)
    assert fetched == []
    memo.contents(versions[1:2], None, read)
    assert fetched == [versions[1].id]


def test_store_files_are_not_shared(tmp_path: Path, stored: tuple[Store, list[FilingVersion]]) -> None:
    """Each store keeps its own: a filing of one store file never answers for another's same id."""
    _, versions = stored
    with Store.open(f"sqlite:///{tmp_path / 'other.sqlite'}") as other:
        other.ingest_filings(list(series("Other Futures LLC", date(2024, 1, 2), date(2024, 1, 5), seed=9)), source="test")
        mine = [v for group in other.day_versions(other.firm_ids()[0], None, None).values() for v in group]
        assert [f.header.firm_name for f in other.contents(mine)] == ["Other Futures LLC"] * len(mine)
        assert mine[0].id == versions[0].id
