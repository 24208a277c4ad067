"""Hypothesis-generated books: DuckDB (and, on a few examples, Spark) agree with the reference exactly."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailyseg.compute import engine_totals, read_books
from dailyseg.compute.assemble import assemble
from dailyseg.compute.reference import totals
from tests.compute.bookkit import micro_example, write_book

CURRENCIES = ("USD", "EUR", "JPY")
RATES = {"EUR": "1.32451234", "JPY": "0.01006300"}
KINDS = ("us_bank", "dco", "fcm", "foreign_member", "on_hand")
ASSETS = ("cash", "customer_securities", "settlement", "net_liquidating_equity", "unrealized")

cents = st.integers(-(10**9), 10**9).map(lambda c: str(Decimal(c) / 100))
positive = st.integers(0, 10**9).map(lambda c: str(Decimal(c) / 100))
maybe = st.one_of(st.none(), cents)


@st.composite
def books(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 8))
    accounts = [{"account": f"A{i}", "class": draw(st.sampled_from(("futures", "foreign", "swaps")))} for i in range(n)]
    ledger = []
    for account in accounts:
        for currency in draw(st.sets(st.sampled_from(CURRENCIES), min_size=1, max_size=2)):
            ledger.append(
                {
                    "account": account["account"],
                    "currency": currency,
                    "cash": draw(cents),
                    "unrealized": draw(maybe),
                    "long_option_value": draw(st.one_of(st.none(), positive)),
                    "short_option_value": draw(st.one_of(st.none(), positive)),
                    "margin_requirement": draw(st.one_of(st.none(), positive)),
                }
            )
    securities = [
        {
            "account": f"A{draw(st.integers(0, n - 1))}",
            "security": f"S{i}",
            "type": draw(st.sampled_from(("government", "equity", "corporate"))),
            "maturity": draw(st.sampled_from(("", "2013-09-01", "2016-01-15", "2040-02-15"))),
            "currency": draw(st.sampled_from(CURRENCIES)),
            "market_value": draw(positive),
            "depository": "D0",
            "haircut": draw(st.sampled_from(("", "0", "12.5", "100"))),
        }
        for i in range(draw(st.integers(0, 6)))
    ]
    positions = [
        {
            "account": f"A{draw(st.integers(0, n - 1))}",
            "currency": draw(st.sampled_from(CURRENCIES)),
            "instrument": "X",
            "quantity": draw(st.integers(-500, 500)),
            "multiplier": draw(st.sampled_from(("1", "12.5", "0.0001", "1000"))),
            "trade_price": str(Decimal(draw(st.integers(0, 10**9))) / 10**6),
            "settlement_price": str(Decimal(draw(st.integers(0, 10**9))) / 10**6),
            "option": draw(st.booleans()),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    depositories = [
        {"depository": f"D{i}", "name": f"Depository {i}", "kind": kind, "acknowledgment": draw(st.booleans())}
        for i, kind in enumerate(KINDS)
    ]
    balances = [
        {
            "depository": f"D{draw(st.integers(0, len(KINDS) - 1))}",
            "class": draw(st.sampled_from(("futures", "foreign", "swaps"))),
            "asset": draw(st.sampled_from(ASSETS)),
            "currency": draw(st.sampled_from(CURRENCIES)),
            "amount": draw(cents),
        }
        for _ in range(draw(st.integers(0, 8)))
    ]
    fx = [{"currency": c, "rate": r} for c, r in RATES.items()]
    basis = draw(st.sampled_from(("ex_securities", "nle")))
    return {
        "tables": {
            "accounts": accounts,
            "ledger": ledger,
            "securities": securities,
            "positions": positions,
            "depositories": depositories,
            "balances": balances,
            "fx": fx,
        },
        "firm": {"deficit_basis": basis, "layout": draw(st.sampled_from(("full", "2013")))},
    }


@pytest.mark.slow  # seconds of work: runs in the full suite, not in the fast tier
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_duckdb_equals_reference(book: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = read_books(write_book(Path(folder), book["tables"], book["firm"]))
        expected, found = totals(data), engine_totals(data, "duckdb")
        assert found.normalized() == expected.normalized()
        computed = assemble(found, data.config)
        assert computed.filing == assemble(expected, data.config).filing
        # The offset never exceeds the gross deficit, and the filing foots (signs depend on the random inputs).
        for row in expected.customers:
            assert row["offset"] <= row["deficit"]
        assert not [x for x in computed.findings if x.rule in ("formulas", "offset-limit", "greater-of")]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(books())
def test_spark_equals_reference(spark: Any, book: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = read_books(write_book(Path(folder), book["tables"], book["firm"]))
        assert engine_totals(data, "spark").normalized() == totals(data).normalized()


def test_spark_on_the_micro_example(spark: Any, tmp_path: Path) -> None:
    data = read_books(write_book(tmp_path, micro_example()))
    result = assemble(engine_totals(data, "spark"), data.config)
    assert (result.filing[7045], result.filing[7047], result.filing[7060]) == (Decimal(250), Decimal(-160), Decimal(1230))
