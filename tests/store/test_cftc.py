"""import-cftc on generated tables: title rows, headers of two eras, footnote marks, CSV and XLSX."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.watch.cftc import classify, parse_cell

D = Decimal
HEADER_2016 = [
    "Futures Commission Merchant / Retail Foreign Exchange Dealer",
    "Registered As",
    "DSRO",
    "As of Date",
    "Adjusted Net Capital",
    "Net Capital Requirement",
    "Excess Net Capital",
    "Customers' Assets in Seg",
    "Customers' Seg Required 4d(a)(2)",
    "Excess/Deficient Funds in Seg",
    "Target Residual Interest in Seg",
    "Funds in Separate Section 30.7 Accounts",
    "Customer Amount Pt. 30 Required",
    "Excess/Deficient Funds in Separate Section 30.7 Accounts",
    "Target Residual Interest in Section 30.7",
    "Funds in Separate Cleared Swap Segregation Accounts",
    "Customer Amount Cleared Swap Seg Required",
    "Excess/Deficient Funds in Cleared Swap Seg",
    "Target Residual Interest in Cleared Swap Seg",
    "Total Amount of Retail Forex Obligation",
]
# An older table: fewer columns, other wording, footnote marks in headers.
HEADER_2012 = [
    "FUTURES COMMISSION MERCHANT",
    "REGISTERED AS",
    "DSRO",
    "AS OF DATE",
    "ADJUSTED NET CAPITAL (1)",
    "NET CAPITAL REQUIREMENT (2)",
    "EXCESS NET CAPITAL",
    "CUSTOMERS' ASSETS IN SEGREGATION (3)",
    "CUSTOMERS' SEGREGATION REQUIRED",
    "EXCESS/DEFICIENT FUNDS IN SEGREGATION",
    "FUNDS IN SEPARATE SECT. 30.7 ACCOUNTS",
    "CUSTOMER AMOUNT PART 30 REQUIRED",
    "EXCESS/DEFICIENT FUNDS IN SEPARATE SECT. 30.7 ACCOUNTS",
]


def _title(when: str) -> list[str]:
    return [f"SELECTED FCM FINANCIAL DATA AS OF {when} FROM REPORTS FILED BY JULY 24, 2017"]


def test_headers_are_recognised_in_both_eras() -> None:
    assert [classify(h) for h in HEADER_2016] == [
        "firm", "registered_as", "dsro", "as_of", "net_capital", "net_capital_requirement", "net_capital_excess",
        "seg_funds", "seg_required", "seg_excess", "seg_target",
        "secured_funds", "secured_required", "secured_excess", "secured_target",
        "swaps_funds", "swaps_required", "swaps_excess", "swaps_target", "retail_forex",
    ]  # fmt: skip
    assert [classify(h) for h in HEADER_2012][4:] == [
        "net_capital", "net_capital_requirement", "net_capital_excess", "seg_funds", "seg_required", "seg_excess",
        "secured_funds", "secured_required", "secured_excess",
    ]  # fmt: skip


def test_cells() -> None:
    assert parse_cell("1,234,567") == D(1234567)
    assert parse_cell("$(1,234)") == D(-1234)
    assert parse_cell("2,000 (1)") == D(2000)
    assert parse_cell("*") is None and parse_cell("(a)") is None and parse_cell(None) is None
    assert parse_cell(1234567890123.0) == D(1234567890123)


def test_csv_import_flags_and_footnotes(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "fcm-2017-06.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_title("JUNE 30, 2017"))
        writer.writerow([])
        writer.writerow(HEADER_2016)
        good = ["Acme Futures LLC", "FCM", "CME", "06/30/2017", "500,000,000", "100,000,000", "400,000,000"]
        writer.writerow([*good, "1,000,000", "900,000", "100,000", "50,000", "300", "200", "100", "10", "*", "(a)", "*", "0", "0"])
        bad = ["Bad Sums Inc", "FCM", "NFA", "06/30/2017", "10", "5", "5", "1,000", "900", "150", "", "", "", "", "", "", "", "", "", ""]
        writer.writerow(bad)
        writer.writerow(["Total", "", "", "", "510,000,010"])
    with Store.open(store_url):
        pass
    result = CliRunner().invoke(main, ["import-cftc", str(path), "--db", store_url, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert (report["imported"], report["already_present"]) == (2, 0)
    assert report["flagged"] == [
        {
            "line": 5,
            "firm": "Bad Sums Inc",
            "as_of": "2017-06-30",
            "problems": ["seg: excess 150 but funds - required = 100 (difference 50)"],
        }
    ]
    assert any("swaps_funds: '*' is not a number" in n for n in report["notes"])
    assert report["skipped"] == [f"{path}:6: skipped the summary row 'Total'"]
    with Store.open(store_url) as store:
        observed = store.cftc_month_ends("ACME FUTURES, LLC")
        assert observed == [
            (
                date(2017, 6, 30),
                {
                    "net_capital": D(500_000_000),
                    "net_capital_requirement": D(100_000_000),
                    "net_capital_excess": D(400_000_000),
                    "seg_funds": D(1_000_000),
                    "seg_required": D(900_000),
                    "seg_excess": D(100_000),
                    "seg_target": D(50_000),
                    "secured_funds": D(300),
                    "secured_required": D(200),
                    "secured_excess": D(100),
                    "secured_target": D(10),
                    "swaps_target": D(0),
                    "retail_forex": D(0),
                },
            )
        ]
    again = CliRunner().invoke(main, ["import-cftc", str(path), "--db", store_url, "--json"])
    assert json.loads(again.output)["already_present"] == 2


def test_xlsx_old_layout_takes_the_date_from_the_title(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(_title("MARCH 31, 2012"))
    sheet.append(HEADER_2012)
    sheet.append(["Old Firm & Co.", "FCM", "CME", None, 100, 50, 50, 2_000_000_000.0, 1_500_000_000, "500,000,000", 30, 20, 10])
    path = tmp_path / "fcm-2012-03.xlsx"
    book.save(path)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(main, ["import-cftc", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    assert "1 rows stored" in result.output
    with Store.open(url) as store:
        ((as_of, values),) = store.cftc_month_ends("old firm and co")
    assert as_of == date(2012, 3, 31)
    assert values["seg_funds"] == D(2_000_000_000) and values["secured_excess"] == D(10)
    assert "swaps_funds" not in values


def test_a_table_without_header_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(main, ["import-cftc", str(path), "--db", f"sqlite:///{tmp_path / 's.sqlite'}", "--json"])
    assert result.exit_code == 2
    assert "no header row" in json.loads(result.output)["skipped"][0]


@pytest.mark.parametrize("header", ["Customers' Assets in Segregation", "Excess Funds in Segregation"])
def test_older_wording(header: str) -> None:
    assert classify(header) in ("seg_funds", "seg_excess")
