"""Reconciling the funds side with what the depositories themselves confirm (`dailyseg reconcile`).

The confirmations file is a CSV in the spirit of the NFA daily segregation confirmation feed: date,
depository, class, asset, currency, amount. Every balance the books show and every balance a depository
confirms is matched on (depository, class, asset, currency); each mismatch is listed with the form line it
feeds. This is the check that exposes a firm reporting $225 million at a bank that holds $5 million.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding, Hit
from dailyseg.checks.computation import CONFIRMATION_MISMATCH
from dailyseg.compute.books import read_csv
from dailyseg.compute.config import BooksError
from dailyseg.compute.schema import ASSETS, CLASSES, Column, Table
from dailyseg.money import format_amount

CONFIRMATIONS = Table(
    "confirmations",
    True,
    (),
    (
        Column("date", "date"),
        Column("depository", "text"),
        Column("class", "text", allowed=CLASSES),
        Column("asset", "text", allowed=ASSETS),
        Column("currency", "text"),
        Column("amount", "amount"),
    ),
    "Balances as confirmed by the depositories.",
)
ZERO = Decimal(0)
CENT = Decimal("0.01")
_CURRENCY = re.compile("[A-Z]{3}")  # ISO 4217, as the store keeps it
MAX_DEPOSITORY = 300  # characters of a depository id the store keeps
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Compared:
    """One balance as the books and the depository state it; `dailyseg reconcile --db` stores each."""

    depository: str
    customer_class: str
    asset: str
    currency: str
    books: Decimal
    confirmed: Decimal

    @property
    def matched(self) -> bool:
        return self.books == self.confirmed


@dataclass(frozen=True)
class Difference(Compared):
    """A balance that does not match, with the depository's name and the form line it feeds ("" when none)."""

    name: str
    line: str

    @property
    def difference(self) -> Decimal:
        return self.books - self.confirmed

    def finding(self) -> Finding:
        """The difference as a finding of the reconciliation's rule, on the line the balance feeds."""
        where = f"line {self.line}" if self.line else "no line of the form"
        hit = Hit(
            f"{self.name} ({self.depository}), {self.customer_class} {self.asset.replace('_', ' ')} in {self.currency} ({where}): "
            f"books {format_amount(self.books)}, confirmed {format_amount(self.confirmed)}",
            statement=CATALOGUE.statement_of(self.line) if self.line else None,
            codes=(self.line,) if self.line else (),
            expected=self.confirmed,
            actual=self.books,
            difference=self.difference,
        )
        return CONFIRMATION_MISMATCH.stamp(hit)


def line_of(customer_class: str, kind: str, asset: str) -> str:
    """The form line a balance feeds, read from the catalogue's sources ("" when none does)."""
    for ref, source in CATALOGUE.sources.items():
        statement = CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""]
        if source.table == "depository" and statement.customer_class == customer_class and kind in source.kinds and asset in source.assets:
            return ref
    return ""


def read_confirmations(path: Path, business_date: Any) -> dict[Key, Decimal]:
    """Confirmed balances by (depository, class, asset, currency); every row must carry the business date."""
    table = read_csv(path, CONFIRMATIONS)
    confirmed: dict[Key, Decimal] = {}
    for number, row in enumerate(table.to_pylist(), start=2):
        if row["date"] != business_date:
            raise BooksError(str(path), f"expected the business date {business_date}, found {row['date']}", row=number, column="date")
        if not _CURRENCY.fullmatch(row["currency"]):
            raise BooksError(
                str(path), f"expected a currency code of 3 capital letters, found {row['currency']!r}", row=number, column="currency"
            )
        if len(row["depository"]) > MAX_DEPOSITORY:
            found = f"{len(row['depository'])} characters"
            raise BooksError(
                str(path),
                f"expected a depository id of at most {MAX_DEPOSITORY} characters, found {found}",
                row=number,
                column="depository",
            )
        key = (row["depository"], row["class"], row["asset"], row["currency"])
        confirmed[key] = confirmed.get(key, ZERO) + row["amount"]
    return confirmed


def compare(balances: Iterable[Mapping[str, Any]], confirmed: Mapping[Key, Decimal]) -> list[Compared]:
    """Every (depository, class, asset, currency) either side states, in key order; a side that does not state
    a balance states zero."""
    books: dict[Key, Decimal] = {}
    for b in balances:
        key = (b["depository"], b["customer_class"], b["asset"], b["currency"])
        books[key] = books.get(key, ZERO) + b["amount"]
    books = {key: amount.quantize(CENT) for key, amount in books.items()}  # sums of cents: exact at two places
    return [Compared(*key, books.get(key, ZERO), confirmed.get(key, ZERO)) for key in sorted(books.keys() | confirmed.keys())]


def reconcile(compared: Iterable[Compared], names: Mapping[str, tuple[str, str]]) -> list[Difference]:
    """Every compared balance whose books amount differs from the confirmed one.

    `names` maps a depository id to its (name, kind). A balance on one side only is a difference too.
    """
    differences = []
    for c in compared:
        if c.matched:
            continue
        name, kind = names.get(c.depository, ("(not in the books)", ""))
        line = line_of(c.customer_class, kind, c.asset)
        differences.append(Difference(c.depository, c.customer_class, c.asset, c.currency, c.books, c.confirmed, name, line))
    return differences
