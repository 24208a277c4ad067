"""Stored reconciliations: every balance of a run kept in cents, a rerun of the day replacing it, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from dailyseg.store import Store
from dailyseg.store.confirmations import Confirmation, firm_ids, history, record

NOW = datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
MON, TUE = date(2024, 3, 4), date(2024, 3, 5)


def _row(day: date, depository: str, books: int, confirmed: int, currency: str = "USD") -> Confirmation:
    return Confirmation(day, depository, "futures", "cash", currency, books, confirmed)


def test_rows_round_trip_exactly_and_a_rerun_replaces_the_day(store_url: str) -> None:
    with Store.open(store_url) as store:
        big = 9_007_199_254_740_993  # past a float's exact integers: cents stay exact
        monday = [_row(MON, "BANK", big, big), _row(MON, "DCO", 12_345, 12_300), _row(MON, "BANK", 1, 0, "EUR")]
        assert record(store, "acme", MON, monday, NOW) == 3
        assert record(store, "other", MON, [_row(MON, "BANK", 5, 5)], NOW) == 1
        assert history(store, "acme") == sorted(monday, key=lambda r: r.balance)
        assert [r.matched for r in history(store, "acme")] == [False, True, False]  # BANK EUR, BANK USD, DCO
        record(store, "acme", TUE, [_row(TUE, "BANK", 7, 7)], NOW)
        record(store, "acme", MON, [_row(MON, "DCO", 12_300, 12_300)], NOW)  # the day run again
        assert history(store, "acme") == [_row(MON, "DCO", 12_300, 12_300), _row(TUE, "BANK", 7, 7)]
        assert history(store, "acme", MON) == [_row(MON, "DCO", 12_300, 12_300)]
        assert history(store, "other") == [_row(MON, "BANK", 5, 5)]  # another firm's day is its own
        assert firm_ids(store) == ["acme", "other"]


def test_a_run_that_fails_part_way_leaves_the_day_as_it_was(store_url: str) -> None:
    with Store.open(store_url) as store:
        kept = [_row(MON, "BANK", 10, 10)]
        record(store, "acme", MON, kept, NOW)
        # One balance twice: the database refuses the second row, after the day's rows were deleted and the first
        # written, in the same transaction.
        twice = [_row(MON, "DCO", 1, 1), _row(MON, "DCO", 2, 2)]
        with pytest.raises(IntegrityError):
            record(store, "acme", MON, twice, NOW)
        assert history(store, "acme") == kept


def test_rows_of_another_day_are_refused_before_anything_is_written(store_url: str) -> None:
    with Store.open(store_url) as store:
        with pytest.raises(ValueError, match="must carry that date"):
            record(store, "acme", MON, [_row(TUE, "BANK", 1, 1)], NOW)
        assert history(store, "acme") == []
