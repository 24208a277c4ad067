"""Rules about the numbers of one filing: formulas, ties, signs, bounds and completeness.

Every rule reads its formulas, signs and bounds from the catalogue; none keeps a list of codes of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE, Formula, Severity, Statement
from dailyseg.checks.registry import Context, Hit, rule
from dailyseg.filing import Filing
from dailyseg.money import format_amount

# The statement of each formula's target, looked up once rather than for every formula of every filing.
_STATEMENT_OF_TARGET = {f.target: CATALOGUE.statement_of(f.target) for layout in CATALOGUE.layouts for f in CATALOGUE.formulas_for(layout)}


def _applies(formula: Formula, filing: Filing) -> bool:
    """A formula is checked where its statement was filed (and, with `when`, where one of those keys was)."""
    statement = _STATEMENT_OF_TARGET[formula.target]
    if statement not in filing.statements:
        return False
    return not formula.when or any(ref in filing.amounts for ref in formula.when)


def _formula_hits(filing: Filing, context: Context, severity: Severity) -> Iterator[Hit]:
    amounts = filing.amounts
    for formula in CATALOGUE.formulas_for(filing.layout):
        if formula.severity != severity or not _applies(formula, filing):
            continue
        actual = amounts.get(formula.target)
        if actual is None:
            continue  # a line never printed is absent, not 0: the `complete` rule names it
        expected = formula.evaluate(amounts)
        difference = actual - expected
        if abs(difference) <= context.tolerance:
            continue
        unfiled = [t.ref for t in formula.terms if t.ref not in amounts]
        counted = f"; not filed, counted as 0: {', '.join(unfiled)}" if unfiled else ""
        yield Hit(
            statement=CATALOGUE.statement_of(formula.target),
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


@rule(
    "signs",
    question="filing",
    severity="error",
    citation="form-spec 7; V02",
    description="Each amount has the sign its line allows (short options and offsets <= 0, securities and deficits >= 0).",
)
def check_signs(filing: Filing, context: Context) -> Iterator[Hit]:
    rows = CATALOGUE.rows_in(filing.layout)
    for entry in filing.entries:
        row = rows.get(entry.ref)
        if row is None or row.sign == "any" or row.sign_allows(entry.amount):
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


def _bound_hits(filing: Filing, rule_id: str) -> Iterator[Hit]:
    for bound in CATALOGUE.bounds:
        if bound.id != rule_id or bound.value not in filing or bound.bound not in filing:
            continue
        value, limit = filing[bound.value], filing[bound.bound]
        if bound.holds(value, limit):
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
        if statement is None or required is None:
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
