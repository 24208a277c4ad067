"""Writing small books for tests: CSV tables from rows, and a firm.toml."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dailyseg.compute.schema import TABLE

DEFAULT_FIRM = {"name": "Test FCM LLC", "business_date": "2013-07-25", "layout": "full"}


def write_book(folder: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]], firm: Mapping[str, Any] | None = None, extra: str = "") -> Path:
    """Write firm.toml and one CSV per table; required tables default to empty."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {**DEFAULT_FIRM, **(firm or {})}
    lines = ["schema = 1", "[firm]"]
    for key, value in settings.items():
        lines.append(f"{key} = {value}" if key.endswith("date") else f'{key} = "{value}"')
    (folder / "firm.toml").write_text("\n".join(lines) + "\n" + extra, "utf-8")
    for name in ("accounts", "ledger", "depositories", "balances", *tables):
        rows = tables.get(name, [])
        columns = [c.name for c in TABLE[name].columns if c.required or any(c.name in r for r in rows)]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return folder


def micro_example() -> dict[str, list[dict[str, Any]]]:
    """Form-spec 11's worked example: four futures accounts, ex-securities basis."""
    return {
        "accounts": [{"account": a, "class": "futures"} for a in "ABCD"],
        "ledger": [
            {"account": "A", "currency": "USD", "cash": "1000", "unrealized": "200"},
            {"account": "B", "currency": "USD", "cash": "-100"},
            {"account": "C", "currency": "USD", "cash": "100", "unrealized": "-150"},
            {"account": "D", "currency": "USD", "cash": "-100"},
        ],
        # B: 110 at market worth 90 after haircuts; D: 80 worth 70.
        "securities": [
            {"account": "B", "security": "B1", "type": "government", "currency": "USD", "market_value": "100", "depository": "BANK", "haircut": "10"},
            {"account": "B", "security": "B2", "type": "equity", "currency": "USD", "market_value": "10", "depository": "BANK", "haircut": "100"},
            {"account": "D", "security": "D1", "type": "government", "currency": "USD", "market_value": "70", "depository": "BANK", "haircut": "0"},
            {"account": "D", "security": "D2", "type": "equity", "currency": "USD", "market_value": "10", "depository": "BANK", "haircut": "100"},
        ],
        "depositories": [
            {"depository": "BANK", "name": "First Bank", "kind": "us_bank", "acknowledgment": "true"},
            {"depository": "DCO", "name": "Clearing House", "kind": "dco", "acknowledgment": "true"},
        ],
        "balances": [
            {"depository": "BANK", "class": "futures", "asset": "cash", "currency": "USD", "amount": "1000"},
            {"depository": "BANK", "class": "futures", "asset": "customer_securities", "currency": "USD", "amount": "190"},
            {"depository": "DCO", "class": "futures", "asset": "cash", "currency": "USD", "amount": "100"},
        ],
    }
