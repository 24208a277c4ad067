"""Early-warning rules: conditions that oblige the firm to give notice, and target consistency."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.registry import Context, Finding, rule
from dailyseg.filing import Filing
from dailyseg.money import format_amount, to_dollars


@rule("deficiency", "notice", "17 CFR 1.12(h)", "Any excess below zero (7190, 7380, 8730): the firm must give notice immediately.")
def check_deficiency(filing: Filing, context: Context) -> Iterator[Finding]:
    for statement in CATALOGUE.statements:
        excess = filing.get(statement.excess)
        if excess is not None and excess < 0:
            yield Finding(
                "deficiency",
                "notice",
                statement.id,
                (str(statement.excess),),
                f"{statement.heading}: deficiency of {format_amount(-excess)}; notice required immediately",
                Decimal(0),
                excess,
                excess,
                citation="17 CFR 1.12(h)",
            )


def target_of(filing: Filing, statement_id: str) -> tuple[Decimal | None, str]:
    """The management target in dollars: the target line when filed, else derived from the cover page."""
    statement = CATALOGUE.statement_by_id[statement_id]
    line = filing.get(statement.target)
    if line is not None:
        return line, f"line {statement.target}"
    target = filing.cover.target(statement_id) if filing.cover else None
    requirement = filing.get(statement.requirement)
    if target is None or requirement is None:
        return None, ""
    return to_dollars(target.dollars(requirement)), "cover page"


@rule(
    "below-target",
    "notice",
    "17 CFR 1.12(j)",
    "Excess below the management target (7198, 7785, 8770 < 0, or excess under the cover-page target).",
)
def check_below_target(filing: Filing, context: Context) -> Iterator[Finding]:
    for statement in CATALOGUE.statements:
        excess = filing.get(statement.excess)
        target, source = target_of(filing, statement.id)
        if excess is None or target is None or excess < 0:
            continue  # a deficiency is its own, stronger notice
        shortfall = excess - target
        if shortfall < 0:
            yield Finding(
                "below-target",
                "notice",
                statement.id,
                (str(statement.excess), str(statement.target)),
                f"{statement.heading}: excess {format_amount(excess)} is {format_amount(-shortfall)} "
                f"under the target {format_amount(target)} ({source})",
                target,
                excess,
                shortfall,
                citation="17 CFR 1.12(j)",
            )


@rule("below-undermargined", "notice", "17 CFR 1.12(j); 1.22", "Excess below the undermargined total, where the caller supplies it.")
def check_below_undermargined(filing: Filing, context: Context) -> Iterator[Finding]:
    for statement_id, undermargined in context.undermargined.items():
        statement = CATALOGUE.statement_by_id[statement_id]
        excess = filing.get(statement.excess)
        if excess is not None and excess < undermargined:
            yield Finding(
                "below-undermargined",
                "notice",
                statement_id,
                (str(statement.excess),),
                f"{statement.heading}: excess {format_amount(excess)} does not cover "
                f"undermargined amounts of {format_amount(undermargined)}",
                undermargined,
                excess,
                excess - undermargined,
                citation="17 CFR 1.22(c)",
            )


@rule(
    "target-missing", "warning", "form-spec 3-5; V08", "A filing in the full layout states its management target on each filed statement."
)
def check_target_missing(filing: Filing, context: Context) -> Iterator[Finding]:
    if filing.layout != "full":
        return
    for statement_id in filing.statements:
        statement = CATALOGUE.statement_by_id.get(statement_id)
        if statement is not None and statement.target not in filing:
            yield Finding(
                "target-missing",
                "warning",
                statement_id,
                (str(statement.target),),
                f"{statement.heading}: no management target line {statement.target}",
                "a target amount",
                "nothing",
                citation="17 CFR 1.23(c)",
            )


@rule(
    "target-cover",
    "warning",
    "form-spec 8.9; V16",
    "The target line agrees with the cover-page target (dollar minimum or lower bound; percentages of the requirement).",
)
def check_target_cover(filing: Filing, context: Context) -> Iterator[Finding]:
    if filing.cover is None:
        return
    for statement in CATALOGUE.statements:
        cover_target = filing.cover.target(statement.id)
        line = filing.get(statement.target)
        requirement = filing.get(statement.requirement)
        if cover_target is None or line is None or requirement is None:
            continue
        derived = to_dollars(cover_target.dollars(requirement))
        if abs(line - derived) > context.tolerance:
            yield Finding(
                "target-cover",
                "warning",
                statement.id,
                (str(statement.target),),
                f"target line {statement.target} is {format_amount(line)}; "
                f"the cover page's {cover_target.kind.replace('_', ' ')} gives {format_amount(derived)}",
                derived,
                line,
                line - derived,
                citation="form-spec 8.9",
            )
