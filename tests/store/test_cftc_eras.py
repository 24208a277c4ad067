"""import-cftc on one invented table of each shape the CFTC published between 2006 and 2016.

The firms and amounts are made up; the shapes are the real ones: the firm's own A/O Date, "Reg As" and
"B/D?" in the oldest tables, titles over several rows or none, spreadsheet row numbers, footnote marks in
figures, rows by size. Each test asserts what was stored, not only what was read, so a column read but lost
on the way to the database fails it.
"""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.cftc_rows import StoredRow, stored_rows
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.tables import cftc_rows, cftc_values
from dailyseg.watch.cftc import KNOWN_COLUMNS, _words, by_general_words, classify, eras_of, import_table, parse_table, read_cells
from dailyseg.watch.monthend import compare_month_end

D = Decimal
Cells = list[list[object]]

# 2006-2007: title over three rows, row numbers, A/O Date, Reg As, B/D?, segregation only, rows by size.
TABLE_2006: Cells = [
    ["SELECTED FCM FINANCIAL DATA"],
    ["AS OF DECEMBER 31, 2006"],
    ["FROM REPORTS FILED BY JANUARY 24, 2007"],
    [None, "FCM", "Reg As", "B/D?", "DSRO", "A/O Date", "Adj Net Capital", "Net Capital Req", "Excess Net Capital",
     "Cust Seg Assets", "Cust Seg Required", "Excess Seg Funds"],
    [1, "Big Clearing Corp", "FCM/BD", "Y", "CME", "12/31/2006", "900,000,000", "300,000,000", "600,000,000",
     "5,000,000,000", "4,800,000,000", "200,000,000"],
    [2, "Fiscal Year Futures Inc", "FCM", "N", "NFA", "11/30/2006", "50,000,000", "10,000,000", "40,000,000",
     "(g)", "700,000", "300,000"],
    [3, "Tiny Trading LLC", "FCM", "N", "NFA", "12/31/2006", "1,500,000", "1,000,000", "500,000", "0", "0", "0"],
    [4, "Nothing Filed LP", "FCM", "N", "NFA", "12/31/2006", "", "", "", "", "", ""],
    [None, "(g) The firm's figure was not available."],
]  # fmt: skip

# 2008-2010: no title at all; 30.7 columns; XLSX dates as dates; an unknown "Rank" column; a row without a date.
TABLE_2008: Cells = [
    ["Rank", "FCM", "Reg As", "B/D?", "DSRO", "A/O Date", "Adj Net Capital", "Net Capital Req", "Excess Net Capital",
     "Cust Seg Assets", "Cust Seg Required", "Excess Seg Funds", "Funds in Sep. 30.7 Accounts", "30.7 Required",
     "Excess 30.7 Funds"],
    [1, "Harbor Futures LLC", "FCM/BD", "Y", "CBOT", datetime(2009, 3, 31), 40_000_000, 8_000_000, 32_000_000,
     2_000_000, 1_500_000, 500_000, 60_000, 50_000, 10_000],
    [2, "Lakeside Commodities", "FCM", "N", "NFA", datetime(2009, 2, 28), 9_000_000, 2_000_000, 7_000_000,
     300_000.0, 250_000, 50_000, None, None, None],
    [3, "Undated Brokers Inc", "FCM", "N", "NFA", None, 1_000_000, 500_000, 500_000, 10, 10, 0, 0, 0, 0],
]  # fmt: skip

# 2011-2012: one title row, upper-case headers with footnote numbers, Registered As, no B/D?, a bad date.
TABLE_2011: Cells = [
    ["SELECTED FCM FINANCIAL DATA AS OF SEPTEMBER 30, 2011 FROM REPORTS FILED BY OCTOBER 24, 2011"],
    [None, "FUTURES COMMISSION MERCHANT", "REGISTERED AS", "DSRO", "AS OF DATE", "ADJUSTED NET CAPITAL (1)",
     "NET CAPITAL REQUIREMENT (2)", "EXCESS NET CAPITAL", "CUSTOMERS' ASSETS IN SEGREGATION (3)",
     "CUSTOMERS' SEGREGATION REQUIRED", "EXCESS/DEFICIENT FUNDS IN SEGREGATION", "FUNDS IN SEPARATE SECT. 30.7 ACCOUNTS",
     "CUSTOMER AMOUNT PART 30 REQUIRED", "EXCESS/DEFICIENT FUNDS IN SEPARATE SECT. 30.7 ACCOUNTS"],
    [1, "Granite Futures Corp", "FCM/RFED", "CME", "09/30/2011", "70,000,000", "20,000,000", "50,000,000",
     "3,000,000", "2,900,000", "100,000", "*", "(a)", "*"],
    [2, "Meadow Capital LLC", "FCM", "NFA", "N/A", "5", "1", "4", "3", "2", "1", "0", "0", "0"],
    [None, "Total", "", "", "", "70,000,005"],
]  # fmt: skip

# 2013-2015: the title split with its date on its own row, mixed case, retail forex.
TABLE_2013: Cells = [
    ["SELECTED FCM FINANCIAL DATA AS OF"],
    ["JUNE 30, 2014"],
    ["Futures Commission Merchant / Retail Foreign Exchange Dealer", "Registered As", "DSRO", "As of Date",
     "Adjusted Net Capital", "Net Capital Requirement", "Excess Net Capital", "Customers' Assets in Seg",
     "Customers' Seg Required 4d(a)(2)", "Excess/Deficient Funds in Seg", "Funds in Separate Section 30.7 Accounts",
     "Customer Amount Pt. 30 Required", "Excess/Deficient Funds in Separate Section 30.7 Accounts",
     "Total Amount of Retail Forex Obligation"],
    ["Ocean Forex & Futures", "FCM/RFED", "NFA", "06/30/2014", 30_000_000, 20_000_000, 10_000_000,
     1_000_000, 990_000, 10_000, 0, 0, 0, 4_000_000],
]  # fmt: skip

# 2016 on: targets and cleared swaps (the current layout, as test_cftc.py reads it).
TABLE_2016: Cells = [
    ["SELECTED FCM FINANCIAL DATA AS OF MARCH 31, 2016 FROM REPORTS FILED BY APRIL 22, 2016"],
    ["Futures Commission Merchant / Retail Foreign Exchange Dealer", "Registered As", "DSRO", "As of Date",
     "Customers' Assets in Seg", "Customers' Seg Required 4d(a)(2)", "Excess/Deficient Funds in Seg",
     "Target Residual Interest in Seg", "Funds in Separate Cleared Swap Segregation Accounts",
     "Customer Amount Cleared Swap Seg Required", "Excess/Deficient Funds in Cleared Swap Seg",
     "Target Residual Interest in Cleared Swap Seg"],
    ["Swap Dealer Futures LLC", "FCM", "CME", "03/31/2016", "8,000,000", "7,000,000", "1,000,000", "500,000",
     "2,000,000", "1,900,000", "100,000", "50,000"],
]  # fmt: skip


def _csv(path: Path, cells: Cells) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(cells)
    return path


def _xlsx(path: Path, cells: Cells) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in cells:
        sheet.append(row)
    book.save(path)
    return path


def _import(store_url: str, path: Path) -> Any:
    result = CliRunner().invoke(main, ["import-cftc", str(path), "--db", store_url, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def _stored(store_url: str, firm: str) -> list[StoredRow]:
    with Store.open(store_url) as store, store.engine.connect() as conn:
        return stored_rows(conn, store.require(firm))


def test_2006_a_o_date_registration_and_b_d_are_kept(store_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "fcm-2006-12.csv", TABLE_2006)
    report = _import(store_url, path)
    assert (report["imported"], report["already_present"]) == (3, 0)
    assert report["eras"] == ["2006"]  # 2008 wording too, but no 30.7 column: not of 2008
    assert report["skipped"] == [f"{path}:8: Nothing Filed LP: refused: no figure in the row"]
    assert report["notes"] == [f"{path}:6: Fiscal Year Futures Inc: seg_funds: '(g)' is not a number (a footnote mark?)"]
    rows = {r["firm"]: r for r in report["rows"]}
    assert rows["Big Clearing Corp"]["flags"] == {"broker_dealer": True}
    assert rows["Big Clearing Corp"]["registered_as"] == "FCM/BD"
    big = _stored(store_url, "Big Clearing Corp")
    assert [(r.as_of, r.firm_name, r.registered_as, r.dsro, r.flags) for r in big] == [
        (date(2006, 12, 31), "Big Clearing Corp", "FCM/BD", "CME", {"broker_dealer": True})
    ]
    assert big[0].values == {
        "net_capital": D(900_000_000),
        "net_capital_requirement": D(300_000_000),
        "net_capital_excess": D(600_000_000),
        "seg_funds": D(5_000_000_000),
        "seg_required": D(4_800_000_000),
        "seg_excess": D(200_000_000),
    }
    (fiscal,) = _stored(store_url, "Fiscal Year Futures Inc")
    assert (fiscal.as_of, fiscal.registered_as, fiscal.dsro, fiscal.flags) == (date(2006, 11, 30), "FCM", "NFA", {"broker_dealer": False})
    assert "seg_funds" not in fiscal.values and fiscal.values["seg_required"] == D(700_000)
    assert [r.as_of for r in _stored(store_url, "Tiny Trading LLC")] == [date(2006, 12, 31)]
    with Store.open(store_url) as store:  # the amounts readers see no flag
        assert store.cftc_month_ends("Big Clearing Corp")[0][1] == big[0].values


def test_2008_no_title_dates_from_the_rows_and_unknown_columns(store_url: str, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "fcm-2009-03.xlsx", TABLE_2008)
    report = _import(store_url, path)
    assert report["imported"] == 2
    assert report["eras"] == ["2008"]
    assert report["skipped"] == [f"{path}:4: Undated Brokers Inc: no As of Date in the row or the title"]
    assert report["columns"]["other:rank"] == "Rank"
    assert [r["texts"] for r in report["rows"]] == [{"other:rank": "1"}, {"other:rank": "2"}]
    (harbor,) = _stored(store_url, "Harbor Futures LLC")
    assert (harbor.as_of, harbor.registered_as, harbor.dsro, harbor.flags) == (date(2009, 3, 31), "FCM/BD", "CBOT", {"broker_dealer": True})
    assert (harbor.values["secured_funds"], harbor.values["secured_required"], harbor.values["secured_excess"]) == (
        D(60_000),
        D(50_000),
        D(10_000),
    )
    (lake,) = _stored(store_url, "Lakeside Commodities")
    assert (lake.as_of, lake.flags) == (date(2009, 2, 28), {"broker_dealer": False})
    assert lake.values["seg_funds"] == D(300_000) and not any(k.startswith("secured_") for k in lake.values)


def test_2011_footnotes_and_a_date_that_is_not_one(store_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "fcm-2011-09.csv", TABLE_2011)
    report = _import(store_url, path)
    assert report["imported"] == 1
    assert report["eras"] == ["2011"]
    assert report["skipped"] == [
        f"{path}:4: Meadow Capital LLC: refused: the As of Date 'N/A' is not a date",
        f"{path}:5: skipped the summary row 'Total'",
    ]
    assert len(report["notes"]) == 3
    (granite,) = _stored(store_url, "Granite Futures Corp")
    assert (granite.as_of, granite.registered_as, granite.dsro, granite.flags) == (date(2011, 9, 30), "FCM/RFED", "CME", {})
    assert granite.values["seg_excess"] == D(100_000) and not any(k.startswith("secured_") for k in granite.values)


def test_2013_title_date_on_its_own_row(store_url: str, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "fcm-2014-06.xlsx", TABLE_2013)
    report = _import(store_url, path)
    assert (report["imported"], report["skipped"], report["eras"]) == (1, [], ["2013"])
    (ocean,) = _stored(store_url, "Ocean Forex & Futures")
    assert (ocean.as_of, ocean.registered_as, ocean.dsro) == (date(2014, 6, 30), "FCM/RFED", "NFA")
    assert ocean.values["retail_forex"] == D(4_000_000) and ocean.values["secured_excess"] == D(0)
    table = parse_table(read_cells(path), str(path))
    assert table.title_date == date(2014, 6, 30)


def test_2016_targets_and_swaps(store_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "fcm-2016-03.csv", TABLE_2016)
    report = _import(store_url, path)
    assert (report["imported"], report["eras"]) == (1, ["2016"])
    (dealer,) = _stored(store_url, "Swap Dealer Futures LLC")
    assert dealer.as_of == date(2016, 3, 31)
    assert dealer.values["swaps_target"] == D(50_000) and dealer.values["seg_target"] == D(500_000)


def test_month_end_compares_rows_of_every_era(store_url: str, tmp_path: Path) -> None:
    """A row without secured columns has no secured figures, and the row's own A/O Date finds the filing."""
    with Store.open(store_url) as store:
        store.ingest_filing(
            daily_filing("Fiscal Year Futures Inc", date(2006, 11, 30), requirement=D(700_000), funds=D(1_000_000)), source="a"
        )
        store.ingest_filing(daily_filing("Harbor Futures LLC", date(2009, 3, 31), requirement=D(1_500_000), funds=D(2_000_000)), source="b")
        import_table(store, _csv(tmp_path / "a.csv", TABLE_2006))
        import_table(store, _xlsx(tmp_path / "b.xlsx", TABLE_2008))
        fiscal = compare_month_end(store, "Fiscal Year Futures Inc")
        harbor = compare_month_end(store, "Harbor Futures LLC")
    assert {(f.as_of, f.statement) for f in fiscal} == {(date(2006, 11, 30), "segregation")}
    assert {f.measure: f.status for f in fiscal} == {
        "funds": "not in the CFTC table",
        "required": "agrees",
        "excess": "agrees",
        "target": "not in the CFTC table",
    }
    assert {f.statement for f in harbor} == {"segregation", "secured"}
    seg = {f.measure: f for f in harbor if f.statement == "segregation"}
    assert (seg["funds"].status, seg["excess"].difference) == ("agrees", D(0))


def test_known_wording_and_the_general_rules_agree() -> None:
    """Every spelling the era table lists is one the general word rules would read the same way, or is only a
    text column the general rules have no word for: the table records eras, it does not contradict."""
    assert classify("Reg As") == "registered_as" and classify("B/D?") == "broker_dealer" and classify("A/O Date") == "as_of"
    assert classify("Broker Dealer?") == "broker_dealer" and classify("Registration") == "registered_as"
    assert eras_of(["FCM", "Funds in Sep. 30.7 Accounts"]) == ["2008"]
    assert eras_of(["Unheard Of"]) == ["2006", "2011"]  # the eras that brought no column of their own
    assert [(words, kind) for kind, spellings, _ in KNOWN_COLUMNS for words in spellings if by_general_words(words) != kind] == []
    assert [words for _, spellings, _ in KNOWN_COLUMNS for words in spellings if _words(words) != words] == []  # each can match


def _observations(url: str) -> list[tuple[object, ...]]:
    with Store.open(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            select(
                cftc_rows.c.firm_name,
                cftc_rows.c.as_of,
                cftc_rows.c.registered_as,
                cftc_rows.c.dsro,
                cftc_rows.c.row_hash,
                cftc_values.c.field,
                cftc_values.c.cents,
            ).join(cftc_values, cftc_values.c.row_id == cftc_rows.c.id)
        ).all()
    return sorted(tuple(r) for r in rows)


def _shuffled(cells: Cells, header_at: int, rows: list[int], columns: list[int]) -> Cells:
    body = [cells[header_at], *(cells[header_at + 1 + i] for i in rows)]
    width = len(cells[header_at])
    padded = [[*row, *([None] * (width - len(row)))] for row in body]
    return [*cells[:header_at], *([row[c] for c in columns] for row in padded)]


def _baseline(cells: Cells, header_at: int, suffix: str) -> list[tuple[object, ...]]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/s.sqlite"
        with Store.open(url) as store:
            path = Path(folder) / f"t.{suffix}"
            (_csv if suffix == "csv" else _xlsx)(path, cells)
            import_table(store, path)
        return _observations(url)


BASELINES = {name: (cells, at) for name, cells, at in [("2006", TABLE_2006, 3), ("2008", TABLE_2008, 0), ("2011", TABLE_2011, 1)]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), era=st.sampled_from(sorted(BASELINES)))
def test_row_and_column_order_do_not_change_what_is_stored(data: st.DataObject, era: str) -> None:
    cells, header_at = BASELINES[era]
    rows = data.draw(st.permutations(range(len(cells) - header_at - 1)))
    columns = data.draw(st.permutations(range(len(cells[header_at]))))
    suffix = "xlsx" if era == "2008" else "csv"
    expected = _baseline(cells, header_at, suffix)
    assert expected
    assert _baseline(_shuffled(cells, header_at, list(rows), list(columns)), header_at, suffix) == expected


def _fixed_width(path: Path, cells: Cells) -> Path:
    """The table printed as the oldest tables were: padded columns two spaces apart, text left, figures right."""
    width = max(len(row) for row in cells)
    body = [row for row in cells if len(row) > 2]
    sizes = [max(len(str(row[i])) if i < len(row) and row[i] is not None else 0 for row in body) for i in range(width)]
    lines = []
    for row in cells:
        if len(row) <= 2:
            lines.append(" ".join(str(c) for c in row if c is not None))
            continue
        parts = []
        for i, size in enumerate(sizes):
            text = "" if i >= len(row) or row[i] is None else str(row[i])
            parts.append(text.rjust(size) if text[:1].isdigit() or text.startswith("(") else text.ljust(size))
        lines.append("  ".join(parts).rstrip())
    path.write_text("\n".join(lines) + "\n")
    return path


def test_2006_as_fixed_width_text_stores_what_the_csv_stores(tmp_path: Path) -> None:
    text = _fixed_width(tmp_path / "fcm-2006-12.txt", TABLE_2006)
    as_text = parse_table(read_cells(text), "t")
    as_csv = parse_table(read_cells(_csv(tmp_path / "fcm-2006-12.csv", TABLE_2006)), "t")
    assert as_text.title_date == date(2006, 12, 31)
    assert as_text.rows == as_csv.rows and as_text.skipped == as_csv.skipped
    assert [r.firm for r in as_text.rows] == ["Big Clearing Corp", "Fiscal Year Futures Inc", "Tiny Trading LLC"]
    assert _baseline(TABLE_2006, 3, "csv") == _stored_from(text)


def _stored_from(path: Path) -> list[tuple[object, ...]]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/s.sqlite"
        with Store.open(url) as store:
            import_table(store, path)
        return _observations(url)
