"""Totals over firms (`totals.RunningTotals` of each firm's `history_columns`) and a revision per firm
(`Store.firm_revision`), on SQLite and on a real PostgreSQL server.

The totals count each firm's filing of record only, also when a day has versions that are not of record: an
amendment, an INITIAL that arrived after its amendment, an amendment that no longer carries a statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from dailyseg.catalogue import CATALOGUE
from dailyseg.store import Store
from dailyseg.store.synthetic import Level, daily_filing, filing_of
from dailyseg.store.totals import RecordTotals, RunningTotals
from tests.store.added_up import added_up

D = Decimal
DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 7)]
CODES = [s.key_refs[part] for s in CATALOGUE.statements for part in ("requirement", "funds", "excess")]
SEGREGATION_ONLY = {"segregation": Level(D(70), D(5), D(0))}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def totals_of(store: Store, codes: list[str]) -> RecordTotals:
    """The running totals of every firm, as a server makes them first; the same as adding them up afresh."""
    tables = {firm_id: store.history_columns(firm_id, codes) for firm_id in store.firm_ids()}
    found = RunningTotals[int](codes).now(dict.fromkeys(tables, 0), lambda firm_id, held: tables[firm_id])
    assert found == added_up(tables.values(), codes)
    return found


def seed(store: Store) -> None:
    for day in DAYS[:3]:
        store.ingest_filing(daily_filing("Alpha LLC", day, requirement=D(100), funds=D(150)), source="alpha")
        store.ingest_filing(daily_filing("Beta LLC", day, requirement=D(200), funds=D(260)), source="beta")
    # Alpha amends day 2; day 3's amendment arrives before its INITIAL (stored above), which stays version 1.
    store.ingest_filing(daily_filing("Alpha LLC", DAYS[1], requirement=D(100), funds=D(140), status="AMENDED"), source="alpha-a")
    store.ingest_filing(
        daily_filing("Gamma LLC", DAYS[2], requirement=D(10), funds=D(30), status="AMENDED", submit=date(2024, 3, 8)), source="g-a"
    )
    store.ingest_filing(daily_filing("Gamma LLC", DAYS[2], requirement=D(10), funds=D(20)), source="g")
    # Beta's amendment of day 3 carries the segregation statement only: its other statements leave that day's totals.
    store.ingest_filing(filing_of("Beta LLC", DAYS[2], SEGREGATION_ONLY, status="AMENDED"), source="beta-a")
    store.ingest_filing(filing_of("Delta LLC", DAYS[3], SEGREGATION_ONLY), source="delta")


def test_the_totals_are_the_filings_of_record_added_up(store: Store) -> None:
    seed(store)
    found = totals_of(store, CODES)
    assert found.dates == DAYS and found.firms == [2, 2, 3, 1]
    funds, swaps = CATALOGUE.statement_by_id["segregation"].key_refs["funds"], CATALOGUE.statement_by_id["swaps"].key_refs["requirement"]
    assert found.cents[funds][1] == (140 + 260) * 100  # Alpha's amendment, not its INITIAL
    assert found.cents[funds][2] == (150 + 75 + 30) * 100  # Beta's segregation-only amendment; Gamma's amendment
    assert found.cents[swaps][2] == (100 + 10) * 100 and found.cents[swaps][3] is None  # only Delta filed day 4


def test_no_filing_no_code_no_totals(store: Store) -> None:
    assert totals_of(store, CODES) == RecordTotals([], [], {code: [] for code in CODES})
    seed(store)
    assert totals_of(store, []) == RecordTotals([], [], {})


def test_a_firm_revision_moves_with_its_own_filings_and_names_only(store: Store) -> None:
    seed(store)
    alpha, beta, whole = store.firm_revision("alpha"), store.firm_revision("beta"), store.revision()
    store.ingest_filing(daily_filing("Beta LLC", DAYS[3], requirement=D(200), funds=D(260)), source="beta")
    assert store.firm_revision("alpha") == alpha and store.firm_revision("beta") != beta and store.revision() != whole
    beta = store.firm_revision("beta")
    store.alias("Beta LLC", "alpha")  # Beta's name joins Alpha: both firms' answers change
    assert store.firm_revision("alpha") != alpha and store.firm_revision("beta") != beta
    assert store.firm_revision("no-such-firm") == store.firm_revision("another-unknown")
