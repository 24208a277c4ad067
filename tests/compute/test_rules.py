"""The rules of form-spec 8 on small books, checked on the reference implementation and on DuckDB."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dailyseg.checks import validate
from dailyseg.compute import compute, read_books
from dailyseg.compute.assemble import Computation, assemble
from dailyseg.compute.reference import totals
from tests.compute.bookkit import micro_example, write_book

D = Decimal


def both(folder: Path) -> tuple[Computation, Computation]:
    books = read_books(folder)
    return assemble(totals(books), books.config), compute(books)


def test_micro_example_of_form_spec_11(tmp_path: Path) -> None:
    for result in both(write_book(tmp_path, micro_example())):
        f = result.filing
        assert (f[7010], f[7020], f[7030], f[7040]) == (D(900), D(190), D(50), D(1140))
        assert (f[7045], f[7047], f[7050], f[7060]) == (D(250), D(-160), D(90), D(1230))
        assert (f[7180], f[7190]) == (D(1290), D(60))
        assert not [x for x in result.findings if x.severity == "error"]


def test_offset_never_crosses_accounts(tmp_path: Path) -> None:
    tables = {
        "accounts": [{"account": "X", "class": "futures"}, {"account": "Y", "class": "futures"}],
        "ledger": [{"account": "X", "currency": "USD", "cash": "-100"}, {"account": "Y", "currency": "USD", "cash": "1000"}],
        "securities": [
            {
                "account": "Y",
                "security": "S",
                "type": "government",
                "currency": "USD",
                "market_value": "500",
                "depository": "BANK",
                "haircut": "0",
            }
        ],
        "depositories": micro_example()["depositories"],
    }
    for result in both(write_book(tmp_path, tables)):
        assert result.filing[7045] == 100
        assert result.filing[7047] == 0  # Y's securities cannot offset X's deficit
        assert result.filing[7060] == 1500  # Y: 1,500; X: -100 + 100 (never below zero)


def test_offset_limited_to_own_deficit_and_contribution_never_negative(tmp_path: Path) -> None:
    tables = {
        "accounts": [{"account": "X", "class": "swaps"}],
        "ledger": [{"account": "X", "currency": "USD", "cash": "-100"}],
        "securities": [
            {
                "account": "X",
                "security": "S",
                "type": "government",
                "currency": "USD",
                "market_value": "1000",
                "depository": "BANK",
                "haircut": "0",
            }
        ],
        "depositories": micro_example()["depositories"],
    }
    for basis, offset, requirement in (("ex_securities", -100, 900), ("nle", 0, 900)):
        folder = write_book(tmp_path / basis, tables, {"deficit_basis": basis})
        for result in both(folder):
            assert result.filing[8570] == offset
            assert result.filing[8590] == requirement


def test_haircut_table_by_maturity(tmp_path: Path) -> None:
    # A deficit of 1,000 against a 5-year Treasury worth 1,000: the 3% haircut (3-5 years) leaves 970.
    tables = {
        "accounts": [{"account": "X", "class": "futures"}],
        "ledger": [{"account": "X", "currency": "USD", "cash": "-1000"}],
        "securities": [
            {
                "account": "X",
                "security": "T",
                "type": "government",
                "maturity": "2017-07-25",
                "currency": "USD",
                "market_value": "1000",
                "depository": "BANK",
            }
        ],
        "depositories": micro_example()["depositories"],
    }
    for result in both(write_book(tmp_path, tables)):
        assert (result.filing[7045], result.filing[7047], result.filing[7060]) == (D(1000), D(-970), D(30))


def test_positions_are_valued_in_the_engine(tmp_path: Path) -> None:
    tables = {
        "accounts": [{"account": "X", "class": "futures"}],
        "ledger": [{"account": "X", "currency": "USD", "cash": "10000"}],
        "positions": [
            {
                "account": "X",
                "currency": "USD",
                "instrument": "ES",
                "quantity": "2",
                "multiplier": "50",
                "trade_price": "1650.25",
                "settlement_price": "1660.5",
                "option": "false",
            },
            {
                "account": "X",
                "currency": "USD",
                "instrument": "C",
                "quantity": "3",
                "multiplier": "12.5",
                "trade_price": "0",
                "settlement_price": "4.123457",
                "option": "true",
            },
            {
                "account": "X",
                "currency": "USD",
                "instrument": "P",
                "quantity": "-1",
                "multiplier": "100",
                "trade_price": "0",
                "settlement_price": "2.5",
                "option": "true",
            },
        ],
        "depositories": micro_example()["depositories"],
    }
    for result in both(write_book(tmp_path, tables)):
        assert result.exact["7030"] == D("1025")
        assert result.exact["7032"] == D("154.6296375")
        assert result.exact["7033"] == D("-250")
        assert (result.filing[7030], result.filing[7032], result.filing[7033]) == (D(1025), D(155), D(-250))


def test_acknowledgment_letter_exclusion(tmp_path: Path) -> None:
    tables = micro_example()
    tables["depositories"] = [
        *tables["depositories"],
        {"depository": "NOLETTER", "name": "Quiet Bank", "kind": "us_bank", "acknowledgment": "false"},
    ]
    tables["balances"] = [
        *tables["balances"],
        {"depository": "NOLETTER", "class": "futures", "asset": "cash", "currency": "USD", "amount": "5000"},
    ]
    for result in both(write_book(tmp_path, tables)):
        assert result.filing[7070] == 1000
        letters = [x for x in result.findings if x.rule == "acknowledgment-letter"]
        assert len(letters) == 1 and "Quiet Bank" in letters[0].message and letters[0].difference == 5000


def test_fx_conversion_and_rounding_foot_exactly(tmp_path: Path) -> None:
    tables = {
        "accounts": [{"account": a, "class": "foreign"} for a in ("E", "G", "J")],
        "ledger": [
            {"account": "E", "currency": "EUR", "cash": "1000.01", "unrealized": "0.49"},
            {"account": "G", "currency": "GBP", "cash": "333.33"},
            {"account": "J", "currency": "JPY", "cash": "-12345.67"},
        ],
        "fx": [
            {"currency": "EUR", "rate": "1.32451234"},
            {"currency": "GBP", "rate": "1.53700001"},
            {"currency": "JPY", "rate": "0.01006300"},
        ],
        "depositories": [{"depository": "M", "name": "Member", "kind": "foreign_member", "acknowledgment": "true"}],
        "balances": [
            {"depository": "M", "class": "foreign", "asset": "cash", "currency": "EUR", "amount": "1200.55"},
            {"depository": "M", "class": "foreign", "asset": "unrealized", "currency": "JPY", "amount": "999.99"},
        ],
    }
    for result in both(write_book(tmp_path, tables, {"foreign_requirement": "100"})):
        f = result.filing
        # EUR 1,000.01 x 1.32451234 + GBP 333.33 x 1.53700001 + JPY -12,345.67 x 0.010063, rounded once.
        assert result.exact["7315"] == D("1000.01") * D("1.32451234") + D("333.33") * D("1.53700001") + D("-12345.67") * D("0.010063")
        assert f[7315] == 1713 and f[7325] == 1 and f[7351] == 124
        assert f[7355] == f[7345] + f[7354] and f[7360] == max(f[7305], f[7355])
        assert f[7700] == 1590 and f[7720] == 10 and f[7740] == 1600
        assert not [x for x in validate(f) if x.rule == "formulas"]


def test_targets_and_undermargined(tmp_path: Path) -> None:
    tables = micro_example()
    tables["ledger"][0]["margin_requirement"] = "1500"  # A: NLE 1,200 against 1,500 required: 300 undermargined
    tables["ledger"][1]["margin_requirement"] = "40"  # B: NLE 10 (cash -100, securities 110): 30 undermargined
    extra = '[targets.segregation]\nkind = "minimum_dollars"\nlow = "50"\n'
    for result in both(write_book(tmp_path, tables, extra=extra)):
        assert result.undermargined == {"segregation": 330}
        assert result.filing[7194] == 50 and result.filing[7198] == 10
        notices = [x for x in result.findings if x.rule == "below-undermargined"]
        assert notices and notices[0].expected == 330


def test_currency_cover_finding(tmp_path: Path) -> None:
    tables = {
        "accounts": [{"account": "A", "class": "swaps"}],
        "ledger": [{"account": "A", "currency": "AUD", "cash": "1000"}, {"account": "A", "currency": "USD", "cash": "10"}],
        "fx": [{"currency": "AUD", "rate": "0.9"}],
        "depositories": micro_example()["depositories"],
        "balances": [
            {"depository": "DCO", "class": "swaps", "asset": "cash", "currency": "AUD", "amount": "100"},
            {"depository": "DCO", "class": "swaps", "asset": "cash", "currency": "USD", "amount": "2000"},
        ],
    }
    result = compute(read_books(write_book(tmp_path, tables)))
    assert result.by_currency["AUD"]["8590"] == 1000 and result.by_currency["AUD"]["8720"] == 100
    assert not [x for x in result.findings if x.rule == "currency-cover"]  # USD surplus 1,990 covers AUD 900 x 0.9
    tables["balances"][1]["amount"] = "500"
    result = compute(read_books(write_book(tmp_path / "short", tables)))
    findings = [x for x in result.findings if x.rule == "currency-cover"]
    assert len(findings) == 1 and "AUD" in findings[0].message and findings[0].difference == -900


@pytest.mark.parametrize("layout", ["full", "2013"])
def test_layouts(tmp_path: Path, layout: str) -> None:
    result = compute(read_books(write_book(tmp_path, micro_example(), {"layout": layout})))
    assert result.filing.layout == layout
    assert ("7370" in result.filing.amounts) == (layout == "2013")
    assert ("7305" in result.filing.amounts) == (layout == "full")


def test_schema_document_and_catalogue_sources_agree_with_the_schema() -> None:
    from dailyseg.catalogue import CATALOGUE
    from dailyseg.compute.schema import ASSETS, DEPOSITORY_KINDS, TABLES
    from dailyseg.compute.totals import MEASURES

    text = (Path(__file__).resolve().parents[2] / "docs" / "books-schema.md").read_text()
    for table in TABLES:
        assert f"| {table.name} |" in text
        for column in table.columns:
            assert column.name in text
    for source in CATALOGUE.sources.values():
        assert set(source.kinds) <= set(DEPOSITORY_KINDS) and set(source.assets) <= set(ASSETS)
        assert source.table != "customer" or source.measure in MEASURES
        assert source.table != "firm" or source.measure in ("foreign_requirement", "target")
