"""The books schema, version 1: the tables `dailyseg compute` reads, their columns and their types.

A book is a folder: `firm.toml` plus one CSV or Parquet file per table (`accounts.csv` or
`accounts.parquet`, ...). docs/books-schema.md documents the same schema for people; this module is the
one the reader checks against, so the two are kept in step by a test.

Amount columns hold exact decimals with at most two places (cents); they never pass through a float.
Short option values are stored as positive market values: the catalogue's sources give the form's sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

SCHEMA_VERSION = 1

ColumnType = Literal["text", "amount", "integer", "multiplier", "price", "rate", "percent", "flag", "date"]

# The exact Arrow type each column type is read into. The widths bound what the engines can multiply
# without losing a digit (see engine.py): prices and quantities fit in 19 digits, amounts in 18.
ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "text": pa.string(),
    "amount": pa.decimal128(18, 2),
    "integer": pa.int64(),
    "multiplier": pa.decimal128(18, 4),
    "price": pa.decimal128(18, 6),
    "rate": pa.decimal128(18, 8),
    "percent": pa.decimal128(9, 4),
    "flag": pa.bool_(),
    "date": pa.date32(),
}

# Decimal places each numeric column type admits.
PLACES: dict[ColumnType, int] = {"amount": 2, "multiplier": 4, "price": 6, "rate": 8, "percent": 4, "integer": 0}

CLASSES = ("futures", "foreign", "swaps")
DEPOSITORY_KINDS = (
    "us_bank",
    "designated_bank",
    "dco",
    "fcm",
    "foreign_clearing",
    "foreign_member",
    "foreign_depository",
    "on_hand",
)
ASSETS = (
    "cash",
    "investments",
    "customer_securities",
    "settlement",
    "long_option_value",
    "short_option_value",
    "unrealized",
    "net_liquidating_equity",
)
# Depository kinds where no acknowledgment letter is needed: funds the firm holds itself.
NO_LETTER_KINDS = ("on_hand",)
SECURITY_TYPES = ("government", "agency", "municipal", "corporate", "money_market_fund", "equity")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    allowed: tuple[str, ...] = ()
    nonnegative: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str

    @property
    def column(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, ARROW_TYPES[c.type]) for c in self.columns])


TABLES: tuple[Table, ...] = (
    Table(
        "accounts",
        True,
        ("account",),
        (
            Column("account", "text", description="Customer account id"),
            Column("class", "text", allowed=CLASSES, description="futures (4d(a)), foreign (30.7) or swaps (4d(f))"),
        ),
        "Customer accounts in scope, one class each. Proprietary accounts are left out of the book.",
    ),
    Table(
        "ledger",
        True,
        ("account", "currency"),
        (
            Column("account", "text"),
            Column("currency", "text", description="ISO 4217 code"),
            Column("cash", "amount", description="Cash ledger balance"),
            Column("unrealized", "amount", required=False, description="Unrealized P/L on open futures or cleared swaps"),
            Column("long_option_value", "amount", required=False, nonnegative=True, description="Market value of long options"),
            Column(
                "short_option_value", "amount", required=False, nonnegative=True, description="Market value of short options (positive)"
            ),
            Column(
                "margin_requirement", "amount", required=False, nonnegative=True, description="Margin required (1.22 undermargined amounts)"
            ),
        ),
        "Per account and currency: cash and open-position values. Missing optional amounts count as zero.",
    ),
    Table(
        "positions",
        False,
        (),
        (
            Column("account", "text"),
            Column("currency", "text"),
            Column("instrument", "text"),
            Column("quantity", "integer", description="Contracts; negative when short"),
            Column("multiplier", "multiplier", nonnegative=True),
            Column("trade_price", "price"),
            Column("settlement_price", "price"),
            Column("option", "flag", description="true for an option: valued at quantity x multiplier x settlement price"),
        ),
        "Open positions, valued in the engine and added to the ledger's open-position values.",
    ),
    Table(
        "securities",
        False,
        (),
        (
            Column("account", "text"),
            Column("security", "text", description="CUSIP, ISIN or internal id"),
            Column("type", "text", allowed=SECURITY_TYPES),
            Column("maturity", "date", required=False),
            Column("currency", "text"),
            Column("market_value", "amount", nonnegative=True),
            Column("depository", "text", description="Where held: a depository id"),
            Column("haircut", "percent", required=False, nonnegative=True, description="Override of the haircut table, percent"),
        ),
        "Customer-owned securities deposited as margin (line 1B) and the haircut base of the offset (line 5).",
    ),
    Table(
        "haircuts",
        False,
        (),
        (
            Column("type", "text", allowed=SECURITY_TYPES),
            Column("max_days", "integer", required=False, description="Up to this many days to maturity; empty: any"),
            Column("haircut", "percent", nonnegative=True),
        ),
        "Haircuts by security type and days to maturity; replaces the built-in table when present.",
    ),
    Table(
        "depositories",
        True,
        ("depository",),
        (
            Column("depository", "text"),
            Column("name", "text"),
            Column("kind", "text", allowed=DEPOSITORY_KINDS),
            Column("acknowledgment", "flag", description="A written acknowledgment letter is on file"),
        ),
        "Where customer funds are held.",
    ),
    Table(
        "balances",
        True,
        (),
        (
            Column("depository", "text"),
            Column("class", "text", allowed=CLASSES),
            Column("asset", "text", allowed=ASSETS),
            Column("currency", "text"),
            Column("amount", "amount", description="As the firm's records show it; short option values positive"),
        ),
        "Balances held for customers at each depository, by class, asset and currency.",
    ),
    Table(
        "fx",
        False,
        ("currency",),
        (
            Column("currency", "text"),
            Column("rate", "rate", nonnegative=True, description="US dollars per unit at the close of the business date"),
        ),
        "Rates to USD; USD itself is 1.",
    ),
)

TABLE = {t.name: t for t in TABLES}

# Tables that must hold at least one row: a book without customer accounts or ledger balances is an export
# that failed, not a firm with no customers (which files no statement).
NONEMPTY_TABLES = ("accounts", "ledger")
# quantity x multiplier is valued as DECIMAL(18, 4) in the engines (see engine.py): fourteen digits before the
# point. A larger size cannot be valued exactly, so the reader refuses it, naming the row.
MAX_POSITION_SIZE_DIGITS = 14

# Built-in haircuts after 17 CFR 240.15c3-1(c)(2)(vi), percent of market value, by type and maximum days to
# maturity (None: any maturity). The government schedule follows (vi)(A); the others are simplified and
# should be replaced by the firm's own table (the `haircuts` table) where it matters.
DEFAULT_HAIRCUTS: tuple[tuple[str, int | None, str], ...] = (
    ("government", 91, "0"),
    ("government", 182, "0.5"),
    ("government", 273, "0.75"),
    ("government", 365, "1"),
    ("government", 730, "1.5"),
    ("government", 1095, "2"),
    ("government", 1825, "3"),
    ("government", 3650, "4"),
    ("government", 5475, "4.5"),
    ("government", 7300, "5"),
    ("government", 9125, "5.5"),
    ("government", None, "6"),
    ("agency", 365, "1"),
    ("agency", 3650, "4"),
    ("agency", None, "6"),
    ("municipal", 365, "1"),
    ("municipal", 3650, "5"),
    ("municipal", None, "7"),
    ("corporate", 365, "2"),
    ("corporate", 3650, "7"),
    ("corporate", None, "9"),
    ("money_market_fund", None, "2"),
    ("equity", None, "15"),
)
