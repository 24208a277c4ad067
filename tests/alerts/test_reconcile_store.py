"""`dailyseg reconcile --db`: every balance compared is stored for the firm and the confirmation date, a rerun
replacing the day; a confirmations file the store could not keep is refused with a clear problem."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailyseg.cli.app import main
from dailyseg.store import Store
from dailyseg.store.confirmations import Confirmation, history
from tests.compute.bookkit import micro_example, write_book

DAY = date(2013, 7, 25)
FIRM_ID = "test-fcm"  # the id the books' firm name, Test FCM LLC, makes


def _confirmations(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "depository", "class", "asset", "currency", "amount"])
        writer.writerows([DAY.isoformat(), *row] for row in rows)
    return path


@pytest.mark.slow  # each run totals the books with DuckDB: seconds
def test_reconcile_stores_each_balance_and_a_rerun_replaces_the_day(tmp_path: Path) -> None:
    tables = micro_example()
    tables["balances"] = [{"depository": "BANK", "class": "futures", "asset": "cash", "currency": "USD", "amount": "225000000.07"}]
    books = write_book(tmp_path / "books", tables)
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    short = _confirmations(tmp_path / "short.csv", [("BANK", "futures", "cash", "USD", "5000000"), ("DCO", "swaps", "cash", "USD", "3")])
    run = CliRunner().invoke(main, ["reconcile", str(books), str(short), "--db", db])
    assert run.exit_code == 1, run.output
    with Store.open(db) as store:
        assert history(store, FIRM_ID) == [
            Confirmation(DAY, "BANK", "futures", "cash", "USD", 22_500_000_007, 500_000_000),
            Confirmation(DAY, "DCO", "swaps", "cash", "USD", 0, 300),
        ]
    agreeing = _confirmations(tmp_path / "ok.csv", [("BANK", "futures", "cash", "USD", "225000000.07")])
    assert CliRunner().invoke(main, ["reconcile", str(books), str(agreeing), "--db", db]).exit_code == 0
    with Store.open(db) as store:
        (row,) = history(store, FIRM_ID)
    assert row.matched and row.books_cents == row.confirmed_cents == 22_500_000_007
    bad = _confirmations(tmp_path / "bad.csv", [("BANK", "futures", "cash", "dollars", "1")])
    run = CliRunner().invoke(main, ["reconcile", str(books), str(bad), "--db", db])
    assert run.exit_code == 2 and "expected a currency code of 3 capital letters, found 'dollars'" in run.stderr
    assert "Traceback" not in run.stderr
    with Store.open(db) as store:
        assert history(store, FIRM_ID) == [row]
