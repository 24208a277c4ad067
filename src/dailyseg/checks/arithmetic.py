"""Rules about the numbers of one filing: formulas, ties, signs, bounds and completeness.

Every rule reads its formulas, signs and bounds from the catalogue; none keeps a list of codes of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, getcontext
from itertools import repeat

from dailyseg.catalogue import CATALOGUE, Formula, Severity, Statement, key_of
from dailyseg.checks.registry import SEVERITIES, Context, Hit, rule
from dailyseg.filing import Filing, exact_cents
from dailyseg.money import format_amount

_Prepared = tuple[Formula, str | None, str, frozenset[str], tuple[str, ...] | None, tuple[str, ...]]


def _prepared(formula: Formula) -> _Prepared:
    """A formula with what checking it reads: the statement of its target, its target, its `when` keys, the keys
    its sum adds (None for the greater-of formulas) and those it takes away."""
    added = tuple(t.ref for t in formula.terms if t.sign > 0) if formula.op == "sum" else None
    taken = tuple(t.ref for t in formula.terms if t.sign < 0) if formula.op == "sum" else ()
    return formula, CATALOGUE.statement_of(formula.target), formula.target, formula.when, added, taken


# Each layout's formulas of each severity, prepared: looked up once rather than for every formula of every filing.
_FORMULAS = {
    (layout, severity): tuple(_prepared(f) for f in CATALOGUE.formulas_for(layout) if f.severity == severity)
    for layout in CATALOGUE.layouts
    for severity in SEVERITIES
}
# A line not filed counts as 0, as in `Formula.evaluate`; sums start from a 0 of the amounts' own type (an int start
# costs a conversion at each `Decimal` sum).
_ZERO = Decimal(0)
_DECIMAL_ZEROS = repeat(_ZERO)
_INT_ZEROS = repeat(0)
# Sums of amounts of at most 17 digits (fifteen and the cents) over a formula's terms are exact well within this
# precision, so adding them in another order, or in integer cents, gives the same value as `Formula.evaluate`.
_EXACT_PRECISION = 24


def _sum_values(
    filing: Filing, tolerance: Decimal
) -> tuple[Mapping[str, Decimal | int], Iterator[Decimal | int], Decimal | int, Decimal | int]:
    """What the formulas' sums add, the zeros a line not filed counts as, the sums' start, and the tolerance in the
    same unit: integer cents where the reader handed them over (`exact_cents`), else the `Decimal` amounts.

    A whole number of cents is within the tolerance exactly when it is within the tolerance's floor in cents.
    """
    cents = exact_cents(filing)
    if cents is None or not tolerance.is_finite():
        return filing.amounts, _DECIMAL_ZEROS, _ZERO, tolerance
    numerator, denominator = tolerance.as_integer_ratio()
    return cents, _INT_ZEROS, 0, numerator * 100 // denominator


def _formula_hits(filing: Filing, context: Context, severity: Severity) -> Iterator[Hit]:
    amounts, statements = filing.amounts, filing.statements
    exact = getcontext().prec >= _EXACT_PRECISION
    values, zeros, zero, tolerance = _sum_values(filing, context.tolerance)
    get, keys, low = values.get, amounts.keys(), -tolerance
    for formula, statement, target, when, added, taken in _FORMULAS[(filing.layout, severity)]:
        # A formula is checked where its statement was filed (and, with `when`, where one of those keys was).
        if statement not in statements or (when and keys.isdisjoint(when)):
            continue
        filed = get(target)
        if filed is None:
            continue  # a line never printed is absent, not 0: the `complete` rule names it
        if exact and added is not None:
            # A formula that holds is decided by a sum or two added in C; one that fails is reported from `evaluate`.
            rest = filed - sum(map(get, added, zeros), zero)
            if low <= (rest + sum(map(get, taken, zeros), zero) if taken else rest) <= tolerance:
                continue
        actual = amounts[target]
        expected = formula.evaluate(amounts)
        difference = actual - expected
        if abs(difference) <= context.tolerance:
            continue
        unfiled = [t.ref for t in formula.terms if t.ref not in amounts]
        counted = f"; not filed, counted as 0: {', '.join(unfiled)}" if unfiled else ""
        yield Hit(
            statement=statement,
            codes=(formula.target, *(t.ref for t in formula.terms)),
            message=(
                f"{formula.id}: line {formula.target} should be {formula.expr} = {format_amount(expected)}; "
                f"filed {format_amount(actual)} (off by {format_amount(difference)}{counted})"
            ),
            expected=expected,
            actual=actual,
            difference=difference,
            citation=formula.citation,
        )


@rule(
    "formulas",
    question="filing",
    severity="error",
    citation="form-spec 6",
    description="Every formula of the layout holds: subtotals, totals, excess and the greater-of rule.",
)
def check_formulas(filing: Filing, context: Context) -> Iterator[Hit]:
    yield from _formula_hits(filing, context, "error")


@rule(
    "ties",
    question="filing",
    severity="warning",
    tier="strict",
    citation="form-spec 8.4; V11",
    description="Requirement side and funds side agree: customer securities (7020, 8510) and option values (7132, 7133) "
    "equal their counterparts (the soft warning formulas T1-T4 of the catalogue).",
)
def check_ties(filing: Filing, context: Context) -> Iterator[Hit]:
    yield from _formula_hits(filing, context, "warning")


def _flip_repairs(filing: Filing, ref: str, context: Context) -> bool:
    """Whether flipping the sign of one amount makes every formula that uses it hold (a sign-convention slip)."""
    amounts = dict(filing.amounts)
    amounts[ref] = -amounts[ref]
    uses = [f for f in CATALOGUE.formulas_for(filing.layout) if ref in f.refs and f.severity == "error"]
    return bool(uses) and all(abs(amounts.get(f.target, Decimal(0)) - f.evaluate(amounts)) <= context.tolerance for f in uses)


# Each layout's rows whose sign is checked (not "any"), by key, and the keys of those at or above zero and of
# those at or below it.
_SIGNED = {layout: {ref: row for ref, row in CATALOGUE.rows_in(layout).items() if row.sign != "any"} for layout in CATALOGUE.layouts}
_SIGNS = {
    layout: tuple(tuple(ref for ref, row in rows.items() if row.sign == sign) for sign in ("nonneg", "nonpos"))
    for layout, rows in _SIGNED.items()
}


@rule(
    "signs",
    question="filing",
    severity="error",
    citation="form-spec 7; V02",
    description="Each amount has the sign its line allows (short options and offsets <= 0, securities and deficits >= 0).",
)
def check_signs(filing: Filing, context: Context) -> Iterator[Hit]:
    values: Mapping[str, Decimal | int] = exact_cents(filing) or filing.amounts  # the same signs, compared faster as integers
    nonneg, nonpos = _SIGNS[filing.layout]
    lowest = min(map(values.get, nonneg, _INT_ZEROS), default=0)
    highest = max(map(values.get, nonpos, _INT_ZEROS), default=0)
    if lowest >= 0 and highest <= 0:
        return  # every sign allowed: decided in C, without a look at each entry
    rows = _SIGNED[filing.layout]
    for entry in filing.entries:
        row = rows.get(entry.ref)
        if row is None or row.sign_allows(entry.amount):
            continue
        wanted = "zero or negative" if row.sign == "nonpos" else "zero or positive"
        slip = _flip_repairs(filing, entry.ref, context)
        reason = "sign-convention violation: the formulas hold with the sign flipped" if slip else "wrong sign"
        yield Hit(
            statement=entry.statement,
            codes=(entry.ref,),
            message=f"line {entry.ref} ({row.label}) must be {wanted}; filed {format_amount(entry.amount)} ({reason})",
            expected=wanted,
            actual=entry.amount,
        )


# Each bound rule's bounds with the keys of their two lines.
_BOUNDS = {
    rule_id: tuple((bound, key_of(bound.value), key_of(bound.bound)) for bound in CATALOGUE.bounds if bound.id == rule_id)
    for rule_id in {bound.id for bound in CATALOGUE.bounds}
}


def _bound_hits(filing: Filing, rule_id: str) -> Iterator[Hit]:
    amounts = filing.amounts
    for bound, value_key, bound_key in _BOUNDS.get(rule_id, ()):
        value, limit = amounts.get(value_key), amounts.get(bound_key)
        if value is None or limit is None or bound.holds(value, limit):
            continue
        relation = f"|{bound.value}| <= {bound.bound}" if bound.relation == "abs_le" else f"{bound.value} >= {bound.bound}"
        yield Hit(
            statement=CATALOGUE.statement_of(bound.value),
            codes=(bound.value, bound.bound),
            message=f"{relation} fails: {bound.value} is {format_amount(value)}, {bound.bound} is {format_amount(limit)}",
            expected=limit,
            actual=value,
            difference=(abs(value) - limit) if bound.relation == "abs_le" else value - limit,
            citation=bound.citation,
        )


@rule(
    "offset-limit",
    question="filing",
    severity="error",
    citation="17 CFR 1.32(b); 30.7(l)(2); 22.2(f)(5)",
    description="The offset by customer securities is no larger than the gross deficit (|7047| <= 7045, |7352| <= 7351, |8570| <= 8560).",
)
def check_offset_limit(filing: Filing, context: Context) -> Iterator[Hit]:
    yield from _bound_hits(filing, "offset-limit")


@rule(
    "greater-of",
    question="filing",
    severity="error",
    citation="17 CFR 30.7(a), (f)(2)",
    description="The secured amount 7360 is not below the foreign-law amount 7305 nor the net liquidating equity amount 7355.",
)
def check_greater_of(filing: Filing, context: Context) -> Iterator[Hit]:
    yield from _bound_hits(filing, "greater-of")


def _required(statement: Statement, layout: str) -> tuple[str, ...]:
    """The codes a statement must print in a layout, in print order: every coded line but the target lines."""
    optional = {str(statement.target), str(statement.excess_over_target)}
    return tuple(row.ref for row in statement.rows(layout) if row.code is not None and row.ref is not None and row.ref not in optional)


# Worked out once, not for every filing checked.
_REQUIRED = {(s.id, layout): _required(s, layout) for s in CATALOGUE.statements for layout in CATALOGUE.layouts}
_REQUIRED_KEYS = {place: frozenset(refs) for place, refs in _REQUIRED.items()}


@rule(
    "complete",
    question="filing",
    severity="error",
    citation="form-spec 3-5",
    description="Every coded line of each filed statement is present (a missing line suggests a truncated document).",
)
def check_complete(filing: Filing, context: Context) -> Iterator[Hit]:
    amounts = filing.amounts
    for statement_id in filing.statements:
        statement = CATALOGUE.statement_by_id.get(statement_id)
        required = _REQUIRED.get((statement_id, filing.layout))
        if statement is None or required is None or _REQUIRED_KEYS[(statement_id, filing.layout)] <= amounts.keys():
            continue
        missing = [ref for ref in required if ref not in amounts]
        if missing:
            codes = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
            yield Hit(
                statement=statement_id,
                codes=tuple(missing),
                message=f"{statement.heading}: {len(missing)} coded line(s) missing: {codes}",
                expected="every coded line of the layout",
                actual=f"{len(missing)} missing",
            )


@rule(
    "unknown-codes",
    question="filing",
    severity="warning",
    citation="form-spec 0",
    description="Codes the catalogue does not know are kept and reported.",
)
def check_unknown_codes(filing: Filing, context: Context) -> Iterator[Hit]:
    if filing.amounts.keys() <= CATALOGUE.refs.keys():
        return
    for entry in filing.unknown:
        yield Hit(
            statement=entry.statement or None,
            codes=(entry.ref,),
            message=f"code {entry.ref} is not in the catalogue (label {entry.label!r}); kept as filed",
            actual=entry.amount,
        )


@rule(
    "funds-negative",
    question="filing",
    severity="warning",
    tier="strict",
    citation="form-spec 7; V13",
    description="Total funds of a statement (7180, 7770, 8720) are normally not negative.",
)
def check_funds_negative(filing: Filing, context: Context) -> Iterator[Hit]:
    for statement in CATALOGUE.statements:
        funds = filing.get(statement.funds)
        if statement.id in filing.statements and funds is not None and funds < 0:
            yield Hit(
                statement=statement.id,
                codes=(str(statement.funds),),
                message=f"total funds {statement.funds} are negative: {format_amount(funds)}",
                expected="zero or positive",
                actual=funds,
            )


RULES = (
    check_formulas,
    check_signs,
    check_offset_limit,
    check_greater_of,
    check_complete,
    check_unknown_codes,
    check_ties,
    check_funds_negative,
)
