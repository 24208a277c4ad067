"""The demo, explain, reconcile and the CLI commands, end to end on real files."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dailyseg
from dailyseg.cli import main
from dailyseg.compute import BooksError, compute, read_books
from dailyseg.compute.demo import generate
from dailyseg.compute.lineage import check_sum, explain
from tests.compute.bookkit import micro_example, write_book

D = Decimal
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "daily-seg-citigroup-2013-07-25.txt"


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_demo_default_equals_the_sample(tmp_path: Path) -> None:
    sample = dailyseg.read(SAMPLE).filings[0]
    books = generate(tmp_path, target=sample)
    assert len(books.rows("accounts")) > 3000 and len(books.rows("depositories")) > 20
    result = compute(books)
    assert result.filing.layout == "2013"
    assert len([k for k in result.filing.amounts if "." not in k]) == 80
    assert result.filing.amounts == sample.amounts
    assert result.filing.header == sample.header
    assert result.errors == 0
    assert any(x.rule == "acknowledgment-letter" for x in result.findings)
    assert result.by_currency.keys() >= {"USD", "EUR", "GBP", "JPY"}


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_explain_values(tmp_path: Path) -> None:
    books = read_books(write_book(tmp_path, micro_example()))
    computation = compute(books)
    deficit = explain(books, computation, "7045")
    assert (deficit.value, deficit.exact, deficit.rows) == (D(250), D(250), 3)
    assert [(c["account"], c["amount"]) for c in deficit.contributors] == [("B", 100), ("D", 100), ("C", 50)]
    offset = explain(books, computation, "7047")
    assert offset.exact == -160 and [c["amount"] for c in offset.contributors] == [-90, -70]
    cash = explain(books, computation, "7070")
    assert cash.exact == 1000 and cash.contributors[0]["depository"] == "BANK"
    subtotal = explain(books, computation, "7060")
    assert [(t["code"], t["value"]) for t in subtotal.terms] == [("7040", 1140), ("7050", 90)]
    assert all(check_sum(x) for x in (deficit, offset, cash, subtotal))
    with pytest.raises(KeyError):
        explain(books, computation, "7370")


def _confirmations(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "depository", "class", "asset", "currency", "amount"])
        for row in rows:
            writer.writerow(["2013-07-25", *row])
    return path


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_reconcile_finds_the_bank_that_holds_less(tmp_path: Path) -> None:
    tables = micro_example()
    tables["balances"] = [{"depository": "BANK", "class": "futures", "asset": "cash", "currency": "USD", "amount": "225000000"}]
    books = write_book(tmp_path / "books", tables)
    confirmations = _confirmations(tmp_path / "conf.csv", [("BANK", "futures", "cash", "USD", "5000000")])
    run = CliRunner().invoke(main, ["reconcile", str(books), str(confirmations), "--json"])
    assert run.exit_code == 1, run.output
    differences = json.loads(run.output)["differences"]
    assert differences == [
        {
            "depository": "BANK",
            "name": "First Bank",
            "line": "7070",
            "class": "futures",
            "asset": "cash",
            "currency": "USD",
            "books": "225000000.00",
            "confirmed": "5000000.00",
            "difference": "220000000.00",
        }
    ]
    agreeing = _confirmations(tmp_path / "ok.csv", [("BANK", "futures", "cash", "USD", "225000000")])
    assert CliRunner().invoke(main, ["reconcile", str(books), str(agreeing)]).exit_code == 0


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_compute_command_exit_codes_and_formats(tmp_path: Path) -> None:
    books = write_book(tmp_path / "books", micro_example())
    runner = CliRunner()
    run = runner.invoke(main, ["compute", str(books), "--format", "json", "--by-currency"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["filing"]["statements"]["segregation"]["7060"] == "1230"
    assert data["by_currency"]["USD"]["7045"] == "250"
    out = tmp_path / "filing.html"
    assert runner.invoke(main, ["compute", str(books), "--format", "html", "-o", str(out)]).exit_code == 0
    assert "1,230" in out.read_text()
    # Funds at a depository that no line reports are an error finding: exit 1.
    tables = micro_example()
    tables["balances"].append({"depository": "BANK", "class": "futures", "asset": "unrealized", "currency": "USD", "amount": "5"})
    assert runner.invoke(main, ["compute", str(write_book(tmp_path / "unplaced", tables))]).exit_code == 1
    assert runner.invoke(main, ["compute", str(tmp_path / "nowhere")]).exit_code == 2
    for command in ("compute", "explain", "reconcile", "demo"):
        assert runner.invoke(main, [command, "--help"]).exit_code == 0
    run = runner.invoke(main, ["explain", str(books), "7047", "--json"])
    assert run.exit_code == 0 and json.loads(run.stdout)["exact"] == "-160"


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
def test_demo_command(tmp_path: Path) -> None:
    """The demo says in a few lines what it did, and prints the filing only when asked."""
    run = CliRunner().invoke(main, ["demo", "--accounts", "400", "-o", str(tmp_path / "demo")])
    assert run.exit_code == 0, run.output
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) <= 5, run.stderr
    assert lines[0].startswith(f"book: {tmp_path / 'demo'} (400 accounts, 3 positions each, ")
    assert "equals the sample filing value for value: yes" in lines
    assert (tmp_path / "demo" / "confirmations.csv").exists() and (tmp_path / "demo" / "filing.txt").exists()
    shown = CliRunner().invoke(main, ["demo", "--accounts", "400", "-o", str(tmp_path / "demo"), "--show"])
    assert "<u>371,003,045</u> [7190]" in shown.stdout


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("ledger", "cash", "12,3x", "ledger.csv, row 2, column 'cash': expected a number with at most 2 decimal places, found '12,3x'"),
        ("ledger", "cash", "1.234", "ledger.csv, row 2, column 'cash': expected a number with at most 2 decimal places, found '1.234'"),
        (
            "accounts",
            "class",
            "commodities",
            "accounts.csv, row 2, column 'class': expected one of futures, foreign, swaps, found 'commodities'",
        ),
        ("ledger", "account", "ZZ", "ledger.csv, row 2, column 'account': expected a account listed in"),
    ],
)
def test_bad_books_name_file_row_column(tmp_path: Path, table: str, column: str, value: str, message: str) -> None:
    tables = micro_example()
    tables[table][0][column] = value
    with pytest.raises(BooksError) as caught:
        read_books(write_book(tmp_path, tables))
    assert message in str(caught.value)


def test_missing_column_and_missing_rate(tmp_path: Path) -> None:
    folder = write_book(tmp_path, micro_example())
    (folder / "ledger.csv").write_text("account,currency\nA,USD\n")
    with pytest.raises(BooksError, match=r"ledger.csv, row 1, column 'cash': missing column 'cash'"):
        read_books(folder)
    tables = micro_example()
    tables["ledger"][0]["currency"] = "CHF"
    with pytest.raises(BooksError, match="expected a rate to USD for 'CHF'"):
        read_books(write_book(tmp_path / "rates", tables))
    run = CliRunner().invoke(main, ["compute", str(folder)])
    assert run.exit_code == 2 and "missing column 'cash'" in run.output and "Traceback" not in run.output


def test_parquet_books_are_checked_and_computed(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_book(tmp_path, micro_example())
    ledger = read_books(folder).arrow("ledger")
    (folder / "ledger.csv").unlink()
    pq.write_table(ledger.select(["account", "currency", "cash", "unrealized"]), folder / "ledger.parquet")
    assert compute(read_books(folder)).filing[7060] == 1230
    bad = ledger.set_column(2, "cash", pa.array(["x"] * ledger.num_rows))
    pq.write_table(bad, folder / "ledger.parquet")
    with pytest.raises(BooksError, match="column 'cash': expected a number with at most 2 decimal places"):
        read_books(folder)
