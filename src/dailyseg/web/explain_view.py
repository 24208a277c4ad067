"""The explain page's figures, shaped for reading: amounts in the web's number format, lines and columns by
their labels, and the FX rate each currency was converted at.

The explanation itself (`dailyseg.compute.lineage.explain`) is unchanged: this only words it. Amounts are
printed as the rest of the web prints them (`dailyseg.web.templating.amount`: separators, negatives in
parentheses); an exact sum keeps all its decimals, so the reviewer still sees what was rounded once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dailyseg.catalogue import CATALOGUE
from dailyseg.compute.lineage import Explanation, shown
from dailyseg.web.templating import amount

# Readable headers for the columns of an explanation's rows (by-currency shares and largest contributors).
HEADERS: Mapping[str, str] = {
    "depository": "Depository",
    "name": "Name",
    "asset": "Asset",
    "account": "Account",
    "currency": "Currency",
    "rows": "Rows",
    "amount": "Amount (in currency)",
    "rate": "FX rate (USD per unit)",
    "usd": "Amount (USD)",
    "counted": "Counted",
}
_AMOUNTS = frozenset({"amount", "usd"})
_NUMBERS = frozenset({"amount", "usd", "rate", "rows"})
USD = Decimal(1)


def header(key: str) -> str:
    return HEADERS.get(key, key.replace("_", " ").capitalize())


def number(value: Any) -> str:
    """An amount as the web prints it: separators, negatives in parentheses, an exact sum's decimals kept."""
    if isinstance(value, Decimal):
        return amount(Decimal(shown(value)))
    return "—" if value is None else str(value)


def rate_text(rate: Decimal) -> str:
    return str(shown(rate))


def label_of(code: str, layout: str | None) -> str:
    try:
        return CATALOGUE.row(code, layout).label
    except KeyError:
        return ""


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Table:
    headers: list[tuple[str, bool]]
    rows: list[list[Cell]]


def _cell(key: str, value: Any) -> Cell:
    if key in _AMOUNTS:
        return Cell(number(value), True)
    if key == "rate":
        return Cell(rate_text(value), True)
    if key == "counted":
        return Cell("yes" if value else "no (no acknowledgment letter)", False)
    return Cell(str(value), key in _NUMBERS)


def _table(rows: Sequence[Mapping[str, Any]], rates: Mapping[str, Decimal]) -> Table | None:
    if not rows:
        return None
    keys = list(rows[0])
    if "currency" in keys and "rate" not in keys:
        keys.insert(keys.index("usd") if "usd" in keys else len(keys), "rate")
    shaped = [[_cell(k, rates.get(r["currency"], USD) if k == "rate" else r[k]) for k in keys] for r in rows]
    return Table([(header(k), k in _NUMBERS) for k in keys], shaped)


@dataclass(frozen=True)
class Term:
    sign: str
    code: str
    label: str
    value: str


@dataclass(frozen=True)
class ExplainView:
    code: str
    label: str
    rule: str
    value: str
    exact: str | None
    rows: int
    terms: list[Term]
    rates: list[tuple[str, str]]
    by_currency: Table | None
    contributors: Table | None


def explain_view(explanation: Explanation, layout: str | None, rates: Mapping[str, Decimal]) -> ExplainView:
    e = explanation
    currencies = sorted({r["currency"] for r in (*e.by_currency, *e.contributors) if "currency" in r})
    return ExplainView(
        code=e.code,
        label=e.label,
        rule=e.rule,
        value=number(e.value),
        exact=number(e.exact) if e.exact is not None else None,
        rows=e.rows,
        terms=[Term(t["sign"], t["code"], label_of(t["code"], layout), number(t["value"])) for t in e.terms],
        rates=[(c, rate_text(rates.get(c, USD))) for c in currencies],
        by_currency=_table(e.by_currency, rates),
        contributors=_table(e.contributors, rates),
    )
