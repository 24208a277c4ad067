"""The reference implementation: the same rules as the engines, in plain Python, slowly and obviously.

It is the test oracle: for any book, `totals(books)` must equal what DuckDB and Spark return, to the last
decimal. It loops over rows with `Decimal` and keeps no cleverness, so a reviewer can check each rule
against form-spec 8.1-8.2 and 8.6 by reading it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from dailyseg.compute.books import Books
from dailyseg.compute.totals import MEASURES, Totals

ZERO = Decimal(0)
_NEVER = date(9999, 12, 31)


def haircut_percent(security: dict[str, Any], haircuts: list[dict[str, Any]], business_date: date) -> Decimal:
    """The override if given; else the first band of the security's type whose maximum days reaches its maturity."""
    if security["haircut"] is not None:
        return Decimal(security["haircut"])
    maturity = security["maturity"] or _NEVER
    days = (maturity - business_date).days
    bands = sorted((h for h in haircuts if h["type"] == security["type"]), key=lambda h: (h["max_days"] is None, h["max_days"] or 0))
    for band in bands:
        if band["max_days"] is None or days <= band["max_days"]:
            return Decimal(band["haircut"])
    return Decimal(100)  # a type the table does not know: no value for the offset


def account_measures(books: Books) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (account, currency): the inputs and every derived measure of form-spec 8.2."""
    classes = {row["account"]: row["class"] for row in books.rows("accounts")}
    units: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "cash": ZERO,
            "securities": ZERO,
            "unrealized": ZERO,
            "long_option_value": ZERO,
            "short_option_value": ZERO,
            "haircut_value": ZERO,
            "margin": None,
        }
    )
    for row in books.rows("ledger"):
        unit = units[(row["account"], row["currency"])]
        unit["cash"] += row["cash"]
        for name in ("unrealized", "long_option_value", "short_option_value"):
            unit[name] += row[name] or ZERO
        if row["margin_requirement"] is not None:
            unit["margin"] = (unit["margin"] or ZERO) + row["margin_requirement"]
    for row in books.rows("positions"):
        unit = units[(row["account"], row["currency"])]
        size = row["quantity"] * row["multiplier"]
        if not row["option"]:
            unit["unrealized"] += size * (row["settlement_price"] - row["trade_price"])
        elif row["quantity"] > 0:
            unit["long_option_value"] += size * row["settlement_price"]
        elif row["quantity"] < 0:
            unit["short_option_value"] += -size * row["settlement_price"]
    haircuts = books.rows("haircuts")
    for row in books.rows("securities"):
        unit = units[(row["account"], row["currency"])]
        unit["securities"] += row["market_value"]
        unit["haircut_value"] += row["market_value"] * (100 - haircut_percent(row, haircuts, books.config.business_date)) / 100
    for (account, _), unit in units.items():
        unit["customer_class"] = classes[account]
        nle = unit["cash"] + unit["securities"] + unit["unrealized"] + unit["long_option_value"] - unit["short_option_value"]
        base = nle - unit["securities"] if books.config.deficit_basis == "ex_securities" else nle
        deficit = max(ZERO, -base)
        # The offset: this account's haircut securities, at most its own deficit, and never so much that
        # the account's contribution (nle + deficit - offset) would fall below zero.
        offset = min(deficit, unit["haircut_value"], nle + deficit)
        unit["nle"], unit["deficit"], unit["offset"] = nle, deficit, offset
        unit["undermargined"] = ZERO if unit["margin"] is None else max(ZERO, unit["margin"] - max(nle, ZERO))
    return units


def totals(books: Books) -> Totals:
    """Measures by class and currency, and balances by depository, class, asset and currency."""
    customers: dict[tuple[str, str], dict[str, Any]] = {}
    for (_, currency), unit in account_measures(books).items():
        key = (unit["customer_class"], currency)
        row = customers.setdefault(key, {"customer_class": key[0], "currency": currency, "accounts": 0, **dict.fromkeys(MEASURES, ZERO)})
        row["accounts"] += 1
        for measure in MEASURES:
            row[measure] += unit[measure]
    depositories = {row["depository"]: row for row in books.rows("depositories")}
    balances: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in books.rows("balances"):
        depository = depositories[row["depository"]]
        place = (row["depository"], row["class"], row["asset"], row["currency"])
        found = balances.setdefault(
            place,
            {
                "depository": row["depository"],
                "name": depository["name"],
                "kind": depository["kind"],
                "acknowledgment": depository["acknowledgment"],
                "customer_class": row["class"],
                "asset": row["asset"],
                "currency": row["currency"],
                "amount": ZERO,
                "rows": 0,
            },
        )
        found["amount"] += row["amount"]
        found["rows"] += 1
    return Totals(tuple(customers.values()), tuple(balances.values()), rates(books))


def rates(books: Books) -> dict[str, Decimal]:
    found = {row["currency"]: row["rate"] for row in books.rows("fx")}
    found.setdefault("USD", Decimal(1))
    return found
