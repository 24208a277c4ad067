"""month-end: the CFTC's month-end figures beside the firm's own daily filing, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing
from dailyseg.watch.cftc import import_table
from dailyseg.watch.monthend import compare_month_end

D = Decimal
HEADER = [
    "Futures Commission Merchant / Retail Foreign Exchange Dealer",
    "Registered As",
    "DSRO",
    "As of Date",
    "Customers' Assets in Seg",
    "Customers' Seg Required 4d(a)(2)",
    "Excess/Deficient Funds in Seg",
    "Target Residual Interest in Seg",
]


def _table(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["SELECTED FCM FINANCIAL DATA AS OF JUNE 30, 2017 FROM REPORTS FILED BY JULY 24, 2017"])
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _store_with_june(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        # June 30 was filed, then amended: the amendment is the filing of record the CFTC figure is set beside.
        store.ingest_filing(
            daily_filing("Acme Futures LLC", date(2017, 6, 30), requirement=D(900_000), funds=D(1_000_000), target=D(50_000)), source="a"
        )
        amended = daily_filing(
            "Acme Futures LLC",
            date(2017, 6, 30),
            requirement=D(900_000),
            funds=D(1_000_250),
            target=D(50_000),
            status="AMENDED",
            submit=date(2017, 7, 5),
        )
        store.ingest_filing(amended, source="b")
        rows = [
            ["Acme Futures LLC", "FCM", "CME", "06/30/2017", "1,000,000", "900,000", "100,000", "50,000"],
            ["ACME FUTURES, LLC", "FCM", "CME", "05/31/2017", "990,000", "890,000", "100,000", "50,000"],
        ]
        import_table(store, _table(tmp_path / "fcm.csv", rows))


def test_figures_are_set_beside_the_filing_of_record(store_url: str, tmp_path: Path) -> None:
    _store_with_june(store_url, tmp_path)
    with Store.open(store_url) as store:
        figures = compare_month_end(store, "acme-futures")
        later = compare_month_end(store, "acme-futures", start=date(2017, 6, 1))
    june = {f.measure: f for f in figures if f.as_of == date(2017, 6, 30)}
    assert [(f.statement, f.code) for f in june.values()] == [
        ("segregation", 7180),
        ("segregation", 7060),
        ("segregation", 7190),
        ("segregation", 7194),
    ]
    assert (june["funds"].cftc, june["funds"].filed, june["funds"].difference, june["funds"].status) == (
        D(1_000_000),
        D(1_000_250),
        D(250),
        "differs",
    )
    assert (june["required"].difference, june["required"].status) == (D(0), "agrees")
    assert (june["excess"].filed, june["excess"].difference) == (D(100_250), D(250))
    assert june["target"].status == "agrees"
    may = [f for f in figures if f.as_of == date(2017, 5, 31)]
    assert {(f.status, f.filed, f.filing_id) for f in may} == {("no daily filing", None, None)}
    assert {f.as_of for f in later} == {date(2017, 6, 30)}


def test_cli_lists_differences_and_exits_one(store_url: str, tmp_path: Path) -> None:
    _store_with_june(store_url, tmp_path)
    result = CliRunner().invoke(main, ["month-end", "Acme Futures", "--db", store_url, "--differences", "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["mismatched"] == 6
    assert [(f["as_of"], f["measure"], f["difference"], f["status"]) for f in report["figures"][:2]] == [
        ("2017-05-31", "funds", None, "no daily filing"),
        ("2017-05-31", "required", None, "no daily filing"),
    ]
    assert [(f["measure"], f["cftc"], f["filed"], f["difference"]) for f in report["figures"][4:]] == [
        ("funds", "1000000", "1000250", "250"),
        ("excess", "100000", "100250", "250"),
    ]
    table = CliRunner().invoke(main, ["month-end", "acme-futures", "--db", store_url, "--from", "2017-06-01"])
    assert table.exit_code == 1 and "differs" in table.output and "2 differ" in table.output


def test_nothing_to_compare_is_exit_two(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.ingest_filing(daily_filing("Acme Futures LLC", date(2017, 6, 30), requirement=D(1), funds=D(2)), source="a")
    result = CliRunner().invoke(main, ["month-end", "Acme Futures", "--db", store_url])
    assert result.exit_code == 2 and "import-cftc" in result.output
