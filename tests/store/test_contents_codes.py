"""`Store.contents` with `codes`: filings holding only those lines, on SQLite and on a real PostgreSQL server.

The firm page reads its rows' standings this way; a standing read from such a filing must be the one read
from the whole filing, with the cover page's target where the filing has no target line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.standing import standings
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from tests.web.support import SAMPLE

KEY_LINES = [ref for s in CATALOGUE.statements for ref in s.key_refs.values()]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        opened.ingest_filing(daily_filing("Alpha LLC", date(2024, 3, 4), requirement=Decimal(100), funds=Decimal(90)), source="alpha")
        opened.ingest_filing(dailyseg.read(SAMPLE).filing, source="citi")
        yield opened


def test_only_the_codes_asked_are_read_and_standings_are_unchanged(store: Store) -> None:
    versions = [v for firm in store.firm_ids() for v in store.filings(firm)]
    whole, keyed = store.contents(versions), store.contents(versions, KEY_LINES)
    for full, part in zip(whole, keyed, strict=True):
        assert {e.ref for e in part.entries} == {e.ref for e in full.entries} & set(KEY_LINES)
        assert (part.header, part.layout, part.statements, part.cover) == (full.header, full.layout, full.statements, full.cover)
        assert standings(part) == standings(full)
    assert store.contents(versions, []) == [Filing(f.header, f.layout, (), f.cover, f.statements) for f in whole]
