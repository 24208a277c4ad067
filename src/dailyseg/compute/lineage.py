"""How a computed line was made (`dailyseg explain`): the rule, the rows, the largest contributors, the sum.

The explanation is built from the same catalogue source and the same engine frames as the computation,
so what a reviewer checks by hand is what was filed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dailyseg.catalogue import CATALOGUE, key_of
from dailyseg.compute.assemble import Computation, _formulas, counts
from dailyseg.compute.books import Books
from dailyseg.compute.engine import EngineName, connect, contributors
from dailyseg.money import to_dollars

ZERO = Decimal(0)


def shown(value: Any) -> Any:
    """An amount as a reviewer reads it beside the books: exact, but without the trailing zeros that rates and
    sums of cents leave (2.50000000 is 2.5, 160.00 is 160). A row (a dict) is shown value by value."""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != value.to_integral_value() else str(value.quantize(Decimal(1)))
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Explanation:
    code: str
    label: str
    rule: str
    value: Decimal | None
    exact: Decimal | None = None
    rows: int = 0
    by_currency: tuple[dict[str, Any], ...] = ()
    contributors: tuple[dict[str, Any], ...] = ()
    terms: tuple[dict[str, Any], ...] = field(default=())


def explain(books: Books, computation: Computation, code: str, *, engine: EngineName = "duckdb", limit: int = 10) -> Explanation:
    """Explain one line of the computed filing, listing its `limit` largest contributors (at least one).

    Raises KeyError for a code the layout does not print, ValueError for a limit below one (DuckDB rejects a
    negative LIMIT, and a slice of the depositories' list would silently drop its last rows).
    """
    if limit < 1:
        raise ValueError(f"limit: the number of contributors to list must be at least 1, not {limit}")
    ref = key_of(code)
    layout = computation.filing.layout
    if ref not in CATALOGUE.refs_in(layout):
        raise KeyError(f"line {code} is not printed in the {layout} layout")
    row = CATALOGUE.row(ref, layout)
    value = computation.filing.get(ref)
    statement = CATALOGUE.statement_by_id[row.statement]
    source = CATALOGUE.sources.get(ref)
    rates = computation.totals.rates
    if source is None:
        formula = _formulas(layout)[ref]
        terms = tuple(
            {"code": t.ref, "sign": "+" if t.sign > 0 else "-", "value": computation.filing.get(t.ref, ZERO)} for t in formula.terms
        )
        rule = f"{formula.id}: {formula.target} = {formula.expr} (rounded lines; {formula.citation})"
        return Explanation(ref, row.label, rule, value, terms=terms)
    rule = source.describe(statement.customer_class) + "; rounded to whole dollars once, after conversion"
    if source.table == "firm":
        return Explanation(ref, row.label, source.describe(statement.customer_class), value)
    if source.table == "depository":
        matched = [
            b
            for b in computation.totals.balances
            if b["customer_class"] == statement.customer_class and b["kind"] in source.kinds and b["asset"] in source.assets
        ]
        listed = sorted(
            (
                {
                    "depository": b["depository"],
                    "name": b["name"],
                    "asset": b["asset"],
                    "currency": b["currency"],
                    "amount": source.sign * b["amount"],
                    "usd": source.sign * b["amount"] * rates.get(b["currency"], Decimal(1)),
                    "counted": counts(b),
                }
                for b in matched
            ),
            key=lambda r: (-abs(r["usd"]), r["depository"]),
        )
        exact = sum((r["usd"] for r in listed if r["counted"]), ZERO)
        currencies = _by_currency(listed)
        return Explanation(ref, row.label, rule, value, exact, sum(b["rows"] for b in matched), currencies, tuple(listed[:limit]))
    with connect(engine) as backend:
        frames = backend.frames(books)
        top_expr, summary_expr = contributors(frames, statement.customer_class, source.measure, limit)
        top, summary = backend.execute(top_expr), backend.execute(summary_expr)
    listed = [
        {"account": r["account"], "currency": r["currency"], "amount": source.sign * r["value"], "usd": source.sign * r["usd"]} for r in top
    ]
    by_currency = tuple(
        {
            "currency": r["currency"],
            "rows": r["rows"],
            "amount": source.sign * r["amount"],
            "usd": source.sign * r["amount"] * rates.get(r["currency"], Decimal(1)),
        }
        for r in sorted(summary, key=lambda r: r["currency"])
    )
    exact = sum((r["usd"] for r in by_currency), ZERO)
    return Explanation(ref, row.label, rule, value, exact, sum(r["rows"] for r in by_currency), by_currency, tuple(listed))


def _by_currency(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not r["counted"]:
            continue
        entry = found.setdefault(r["currency"], {"currency": r["currency"], "rows": 0, "amount": ZERO, "usd": ZERO})
        entry["rows"] += 1
        entry["amount"] += r["amount"]
        entry["usd"] += r["usd"]
    return tuple(found[c] for c in sorted(found))


def check_sum(explanation: Explanation) -> bool:
    """The explanation's exact sum rounds to the filed value (what a reviewer verifies)."""
    return explanation.exact is None or to_dollars(explanation.exact) == explanation.value
