"""Rules about the numbers of one filing: formulas, ties, signs, bounds and completeness.

Every rule reads its formulas, signs and bounds from the catalogue; none keeps a list of codes of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE, Formula, Severity
from dailyseg.checks.registry import Context, Finding, rule
from dailyseg.filing import Filing
from dailyseg.money import format_amount


def _applies(formula: Formula, filing: Filing) -> bool:
    """A formula is checked where its statement was filed (and, with `when`, where one of those keys was)."""
    statement = CATALOGUE.statement_of(formula.target)
    if statement not in filing.statements:
        return False
    return not formula.when or any(ref in filing.amounts for ref in formula.when)


def _formula_findings(filing: Filing, context: Context, severity: Severity, rule_id: str) -> Iterator[Finding]:
    amounts = filing.amounts
    for formula in CATALOGUE.formulas_for(filing.layout):
        if formula.severity != severity or not _applies(formula, filing):
            continue
        expected = formula.evaluate(amounts)
        actual = amounts.get(formula.target, Decimal(0))
        difference = actual - expected
        if abs(difference) <= context.tolerance:
            continue
        yield Finding(
            rule=rule_id,
            severity=severity,
            statement=CATALOGUE.statement_of(formula.target),
            codes=(formula.target, *(t.ref for t in formula.terms)),
            message=(
                f"{formula.id}: line {formula.target} should be {formula.expr} = {format_amount(expected)}; "
                f"filed {format_amount(actual)} (off by {format_amount(difference)})"
            ),
            expected=expected,
            actual=actual,
            difference=difference,
            citation=formula.citation,
        )


@rule("formulas", "error", "form-spec 6", "Every formula of the layout holds: subtotals, totals, excess and the greater-of rule.")
def check_formulas(filing: Filing, context: Context) -> Iterator[Finding]:
    yield from _formula_findings(filing, context, "error", "formulas")


@rule(
    "ties",
    "warning",
    "form-spec 8.4",
    "Requirement side and funds side agree: customer securities (7020, 8510) and option values (7132, 7133) "
    "equal their counterparts (the warning formulas T1-T4 of the catalogue).",
)
def check_ties(filing: Filing, context: Context) -> Iterator[Finding]:
    yield from _formula_findings(filing, context, "warning", "ties")


def _flip_repairs(filing: Filing, ref: str, context: Context) -> bool:
    """Whether flipping the sign of one amount makes every formula that uses it hold (a sign-convention slip)."""
    amounts = dict(filing.amounts)
    amounts[ref] = -amounts[ref]
    uses = [f for f in CATALOGUE.formulas_for(filing.layout) if ref in f.refs and f.severity == "error"]
    return bool(uses) and all(abs(amounts.get(f.target, Decimal(0)) - f.evaluate(amounts)) <= context.tolerance for f in uses)


@rule(
    "signs",
    "error",
    "form-spec 7",
    "Each amount has the sign its line allows (short options and offsets <= 0, securities and deficits >= 0).",
)
def check_signs(filing: Filing, context: Context) -> Iterator[Finding]:
    rows = CATALOGUE.rows_in(filing.layout)
    for entry in filing.entries:
        row = rows.get(entry.ref)
        if row is None or row.sign == "any" or row.sign_allows(entry.amount):
            continue
        wanted = "zero or negative" if row.sign == "nonpos" else "zero or positive"
        slip = _flip_repairs(filing, entry.ref, context)
        reason = "sign-convention violation: the formulas hold with the sign flipped" if slip else "wrong sign"
        yield Finding(
            rule="signs",
            severity="error",
            statement=entry.statement,
            codes=(entry.ref,),
            message=f"line {entry.ref} ({row.label}) must be {wanted}; filed {format_amount(entry.amount)} ({reason})",
            expected=wanted,
            actual=entry.amount,
            citation="form-spec 7",
        )


def _bound_findings(filing: Filing, rule_id: str) -> Iterator[Finding]:
    for bound in CATALOGUE.bounds:
        if bound.id != rule_id or bound.value not in filing or bound.bound not in filing:
            continue
        value, limit = filing[bound.value], filing[bound.bound]
        if bound.holds(value, limit):
            continue
        relation = f"|{bound.value}| <= {bound.bound}" if bound.relation == "abs_le" else f"{bound.value} >= {bound.bound}"
        yield Finding(
            rule=rule_id,
            severity="error",
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
    "error",
    "17 CFR 1.32(b); 30.7(l)(2); 22.2(f)(5)",
    "The offset by customer securities is no larger than the gross deficit (|7047| <= 7045, |7352| <= 7351, |8570| <= 8560).",
)
def check_offset_limit(filing: Filing, context: Context) -> Iterator[Finding]:
    yield from _bound_findings(filing, "offset-limit")


@rule(
    "greater-of",
    "error",
    "17 CFR 30.7(a), (f)(2)",
    "The secured amount 7360 is not below the foreign-law amount 7305 nor the net liquidating equity amount 7355.",
)
def check_greater_of(filing: Filing, context: Context) -> Iterator[Finding]:
    yield from _bound_findings(filing, "greater-of")


@rule(
    "complete",
    "error",
    "form-spec 3-5",
    "Every coded line of each filed statement is present (a missing line suggests a truncated document).",
)
def check_complete(filing: Filing, context: Context) -> Iterator[Finding]:
    for statement_id in filing.statements:
        statement = CATALOGUE.statement_by_id.get(statement_id)
        if statement is None:
            continue
        optional = {str(statement.target), str(statement.excess_over_target)}
        missing = [
            row
            for row in statement.rows(filing.layout)
            if row.code is not None and row.ref not in filing.amounts and row.ref not in optional
        ]
        if missing:
            codes = ", ".join(r.ref or "" for r in missing[:8]) + (" ..." if len(missing) > 8 else "")
            yield Finding(
                rule="complete",
                severity="error",
                statement=statement_id,
                codes=tuple(r.ref or "" for r in missing),
                message=f"{statement.heading}: {len(missing)} coded line(s) missing: {codes}",
                expected="every coded line of the layout",
                actual=f"{len(missing)} missing",
                citation="form-spec 3-5",
            )


@rule("unknown-codes", "warning", "form-spec 0", "Codes the catalogue does not know are kept and reported.")
def check_unknown_codes(filing: Filing, context: Context) -> Iterator[Finding]:
    for entry in filing.unknown:
        yield Finding(
            rule="unknown-codes",
            severity="warning",
            statement=entry.statement or None,
            codes=(entry.ref,),
            message=f"code {entry.ref} is not in the catalogue (label {entry.label!r}); kept as filed",
            actual=entry.amount,
        )


@rule("funds-negative", "warning", "form-spec 7", "Total funds of a statement (7180, 7770, 8720) are normally not negative.")
def check_funds_negative(filing: Filing, context: Context) -> Iterator[Finding]:
    for statement in CATALOGUE.statements:
        funds = filing.get(statement.funds)
        if statement.id in filing.statements and funds is not None and funds < 0:
            yield Finding(
                rule="funds-negative",
                severity="warning",
                statement=statement.id,
                codes=(str(statement.funds),),
                message=f"total funds {statement.funds} are negative: {format_amount(funds)}",
                expected="zero or positive",
                actual=funds,
                citation="form-spec 7",
            )
