"""Every CSV dailyseg writes shows a formula-like text as text in a spreadsheet (OWASP's CSV-injection
guidance), one test per character, and dailyseg reads its own CSV back exactly."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import dailyseg
from dailyseg.filing import Entry
from dailyseg.render import render_csv
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from tests.cli_support import in_pipe

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


def _named(first: str) -> dailyseg.Filing:
    filing = daily_filing(
        f'{first}HYPERLINK("http://example.invalid") Futures', date(2024, 3, 4), requirement=Decimal(100), funds=Decimal(150)
    )
    label = f"{first}SUM(A1:A9)"
    return replace(filing, entries=(*filing.entries, Entry("segregation", "1000", Decimal(-5), label)))


@pytest.mark.parametrize("first", TRIGGERS)
def test_the_filing_csv_writes_formula_text_as_text_and_reads_it_back(first: str) -> None:
    filing = _named(first)
    text = render_csv(filing)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert {row[0] for row in rows} == {f'\'{first}HYPERLINK("http://example.invalid") Futures'}
    (added,) = [row for row in rows if row[8] == "1000"]
    assert (added[9], added[10]) == (f"'{first}SUM(A1:A9)", "-5")  # the label is text, the amount a number
    result = dailyseg.read(text, text=True)
    assert result.problems == ()
    assert result.filings == (filing,)


@pytest.mark.parametrize("first", TRIGGERS)
def test_listings_write_formula_text_as_text(tmp_path: Path, first: str) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(db) as store:
        store.ingest_filings([_named(first)], source="test")
    done = in_pipe("firms", "--format", "csv", "--db", db)
    assert done.code == 0, done.stderr
    header, row = csv.reader(io.StringIO(done.stdout))
    assert row[header.index("name")] == f'\'{first}HYPERLINK("http://example.invalid") Futures'
    assert row[header.index("segregation_excess")] == "50"
