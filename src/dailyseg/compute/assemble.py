"""From totals by class and currency to the filing: the pure core of `dailyseg compute`.

Both the engines and the reference implementation produce `Totals`; this module reads the catalogue's
sources to place them on lines, converts currency by currency to USD and rounds.

Rounding, in one place. Each line read from the books (a sourced line) is summed exactly per currency,
converted to USD exactly (amount x rate, no rounding), summed over currencies and then rounded to whole
dollars once, by `money.to_dollars`. Every other line (subtotals, totals, excess) is derived from those
rounded lines with the catalogue's formulas, so the filing foots exactly by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from dailyseg.catalogue import CATALOGUE, Formula, Source
from dailyseg.checks import REGISTRY, Context, Finding, Hit, Selection, validate
from dailyseg.checks.computation import ACKNOWLEDGMENT_LETTER, CURRENCY_COVER, UNPLACED_BALANCE
from dailyseg.compute.config import FirmConfig
from dailyseg.compute.schema import NO_LETTER_KINDS
from dailyseg.compute.totals import Totals
from dailyseg.filing import Filing
from dailyseg.money import canonical, format_amount, to_dollars

# 17 CFR 1.49(e): currencies that may stand in for obligations in any other non-USD currency.
MONEY_CENTER = ("CAD", "EUR", "GBP", "JPY")
ZERO = Decimal(0)


def counts(balance: Mapping[str, Any]) -> bool:
    """A balance counts toward funds only with an acknowledgment letter on file (or funds on hand)."""
    return bool(balance["acknowledgment"]) or balance["kind"] in NO_LETTER_KINDS


def statement_sources() -> Iterable[tuple[str, Source]]:
    """Every source with the customer class of its statement."""
    for ref, source in CATALOGUE.sources.items():
        statement = CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""]
        yield statement.customer_class, source


def source_amount(source: Source, customer_class: str, currency: str, totals: Totals) -> Decimal:
    """A sourced line's exact amount in one currency (before conversion)."""
    if source.table == "customer":
        rows = (r for r in totals.customers if r["customer_class"] == customer_class and r["currency"] == currency)
        return source.sign * sum((r[source.measure] for r in rows), ZERO)
    if source.table == "depository":
        rows = (
            r
            for r in totals.balances
            if r["customer_class"] == customer_class
            and r["currency"] == currency
            and r["kind"] in source.kinds
            and r["asset"] in source.assets
            and counts(r)
        )
        return source.sign * sum((r["amount"] for r in rows), ZERO)
    return ZERO


def currencies(totals: Totals) -> list[str]:
    return sorted({r["currency"] for r in totals.customers} | {r["currency"] for r in totals.balances})


def by_currency_exact(totals: Totals) -> dict[str, dict[str, Decimal]]:
    """Currency -> line -> exact amount in that currency, for lines read from customer and depository rows."""
    result: dict[str, dict[str, Decimal]] = {}
    for currency in currencies(totals):
        result[currency] = {}
        for customer_class, source in statement_sources():
            if source.table != "firm":
                result[currency][source.ref] = source_amount(source, customer_class, currency, totals)
    return result


def _formulas(layout: str) -> dict[str, Formula]:
    """The formulas that derive lines: the full layout's, with the layout's own where it has its own."""
    chosen = {f.target: f for f in CATALOGUE.formulas_for("full") if f.severity == "error"}
    chosen.update({f.target: f for f in CATALOGUE.formulas_for(layout) if f.severity == "error"})
    return chosen


def derive(read: Mapping[str, Decimal], layout: str, config: FirmConfig | None) -> dict[str, Decimal]:
    """Complete the lines read from the books with firm lines and formulas; keep the layout's lines.

    Targets (7194/7780/8760) need their statement's requirement, so lines are settled in rounds until
    nothing is pending. A target the firm did not configure stays off the filing.
    """
    amounts = dict(read)
    formulas = _formulas(layout)
    firm_sources = {ref: s for ref, s in CATALOGUE.sources.items() if s.table == "firm"}
    if config is not None:
        for ref, source in firm_sources.items():
            if source.measure == "foreign_requirement":
                amounts[ref] = to_dollars(config.foreign_requirement)
    pending_targets = {ref for ref, s in firm_sources.items() if s.measure == "target"} if config else set()
    pending = set(formulas) | pending_targets
    while pending:
        progressed = False
        for ref in sorted(pending):
            if ref in formulas:
                if any(t.ref in pending for t in formulas[ref].terms):
                    continue
                amounts[ref] = formulas[ref].evaluate(amounts)
            else:
                statement = CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""]
                if str(statement.requirement) in pending:
                    continue
                target = config.targets.get(statement.id) if config else None
                if target is not None:
                    amounts[ref] = to_dollars(target.dollars(amounts[str(statement.requirement)]))
            pending.discard(ref)
            progressed = True
        if not progressed:  # pragma: no cover - the catalogue loader rejects cycles' ingredients
            raise ValueError(f"cannot derive {sorted(pending)}")
    keep = CATALOGUE.refs_in(layout)
    return {ref: value for ref, value in amounts.items() if ref in keep}


@dataclass(frozen=True)
class Computation:
    """The computed filing with its findings and supporting detail."""

    filing: Filing
    findings: tuple[Finding, ...]
    exact: Mapping[str, Decimal]
    by_currency: Mapping[str, Mapping[str, Decimal]]
    undermargined: Mapping[str, Decimal]
    totals: Totals

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def assemble(totals: Totals, config: FirmConfig, *, selection: Selection | None = None) -> Computation:
    """Place the totals on lines, convert, round, derive, validate (with the rules selected; default: basic)."""
    per_currency = by_currency_exact(totals)
    exact: dict[str, Decimal] = {}
    for currency, lines in per_currency.items():
        rate = totals.rates.get(currency, Decimal(1))
        for ref, amount in lines.items():
            exact[ref] = exact.get(ref, ZERO) + amount * rate
    read = {ref: to_dollars(amount) for ref, amount in exact.items()}
    amounts = derive(read, config.layout, config)
    filing = Filing.of(config.header(), cast(Mapping[int | str, Decimal], amounts), layout=config.layout, cover=config.cover())
    whole = {c: derive({r: to_dollars(a) for r, a in lines.items()}, "full", None) for c, lines in per_currency.items()}
    undermargined = _undermargined(totals)
    context = Context(tolerance=config.tolerance, undermargined=dict(undermargined))
    chosen = REGISTRY.chosen(selection or Selection())
    over_books = [*_letter_findings(totals), *_unplaced_findings(totals), *_cover_findings(whole, totals.rates)]
    findings = REGISTRY.ordered(
        [
            *(f for f in over_books if REGISTRY[f.rule] in chosen),
            *validate(filing, [r.id for r in chosen if r.scope == "filing"], context),
        ]
    )
    return Computation(filing, tuple(findings), exact, whole, undermargined, totals)


def _undermargined(totals: Totals) -> dict[str, Decimal]:
    """Undermargined totals by statement, in USD, where any account carries a margin requirement."""
    result: dict[str, Decimal] = {}
    for statement in CATALOGUE.statements:
        rows = [r for r in totals.customers if r["customer_class"] == statement.customer_class and r.get("undermargined")]
        if rows:
            result[statement.id] = to_dollars(sum((r["undermargined"] * totals.rates.get(r["currency"], Decimal(1)) for r in rows), ZERO))
    return result


def _letter_findings(totals: Totals) -> Iterable[Finding]:
    for row in totals.balances:
        if counts(row) or row["amount"] == 0:
            continue
        statement = next(s for s in CATALOGUE.statements if s.customer_class == row["customer_class"])
        message = (
            f"{row['name']} ({row['depository']}): {row['currency']} {format_amount(canonical(row['amount']))} "
            f"of {row['asset'].replace('_', ' ')} left out of funds: no written acknowledgment letter on file"
        )
        hit = Hit(message, statement=statement.id, expected="an acknowledgment letter", actual="none on file", difference=row["amount"])
        yield ACKNOWLEDGMENT_LETTER.stamp(hit)


def _unplaced_findings(totals: Totals) -> Iterable[Finding]:
    placed = {(cls, kind, asset) for cls, s in statement_sources() if s.table == "depository" for kind in s.kinds for asset in s.assets}
    for row in totals.balances:
        if (row["customer_class"], row["kind"], row["asset"]) in placed or row["amount"] == 0:
            continue
        hit = Hit(
            f"{row['depository']}: {row['customer_class']} {row['asset']} at a {row['kind']} depository has no line on the form",
            expected="a balance the form reports",
            actual=f"{row['currency']} {format_amount(canonical(row['amount']))}",
            difference=row["amount"],
        )
        yield UNPLACED_BALANCE.stamp(hit)


def _cover_findings(whole: Mapping[str, Mapping[str, Decimal]], rates: Mapping[str, Decimal]) -> Iterable[Finding]:
    """17 CFR 1.49(e): each currency's obligations covered by funds in it or a permitted substitute."""
    for statement in CATALOGUE.statements:
        req, funds = str(statement.requirement), str(statement.funds)

        surplus = {c: max(ZERO, lines.get(funds, ZERO) - lines.get(req, ZERO)) * rates.get(c, Decimal(1)) for c, lines in whole.items()}
        available = sum((surplus.get(c, ZERO) for c in ("USD", *MONEY_CENTER)), ZERO)
        for currency, lines in sorted(whole.items()):
            short = lines.get(req, ZERO) - lines.get(funds, ZERO)
            if short <= 0:
                continue
            in_usd = short * rates.get(currency, Decimal(1))
            if currency != "USD" and in_usd <= available:
                available -= in_usd
                continue
            message = (
                f"{statement.heading}: {currency} obligations of {format_amount(lines.get(req, ZERO))} exceed {currency} funds of "
                f"{format_amount(lines.get(funds, ZERO))} and no permitted substitute covers the {format_amount(short)} short"
            )
            hit = Hit(
                message,
                statement=statement.id,
                codes=(req, funds),
                expected=lines.get(req, ZERO),
                actual=lines.get(funds, ZERO),
                difference=-short,
            )
            yield CURRENCY_COVER.stamp(hit)
