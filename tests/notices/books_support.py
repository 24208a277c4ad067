"""A firm's books whose own computation is deficient: form-spec 11's worked example (tests/compute/bookkit.py) with
the bank's cash short, so the segregation statement's funds (790) fall 440 short of its requirement (1,230)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.compute.bookkit import micro_example, write_book

FIRM = "Test FCM LLC"  # bookkit's firm
REQUIREMENT, FUNDS, SHORTFALL = Decimal(1230), Decimal(790), Decimal(440)


def deficient_books(folder: Path) -> Path:
    tables = micro_example()
    bank_cash = tables["balances"][0]
    assert (bank_cash["depository"], bank_cash["asset"], bank_cash["amount"]) == ("BANK", "cash", "1000")
    bank_cash["amount"] = "500"
    return write_book(folder, tables)
