"""Events in one filing: the conditions that oblige the firm to give notice (form-spec 10), and the target
lines they are measured against.

Deficiency and the shortfalls answer "is the firm in trouble?"; the target lines' presence and agreement with
the cover page answer "is the filing right?". Where a statement stands is read from `dailyseg.standing`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks.registry import Context, Hit, rule
from dailyseg.filing import Filing
from dailyseg.money import format_amount, to_dollars
from dailyseg.standing import Standing, standing, standings

# The standings of the filing last looked at: the deficiency and below-target rules both read them, in turn, for
# the same filing. A filing is immutable, and known here by a weak reference (the filing is not kept alive, and a
# reference to a filing gone answers None, never another filing).
_last_standings: tuple[weakref.ref[Filing], dict[str, Standing]] | None = None


def _standings(filing: Filing) -> dict[str, Standing]:
    global _last_standings
    last = _last_standings
    if last is not None and last[0]() is filing:
        return last[1]
    found = standings(filing)
    _last_standings = (weakref.ref(filing), found)
    return found


@rule(
    "deficiency",
    question="firm",
    severity="error",
    citation="17 CFR 1.12(h)",
    description="Excess funds below zero (7190, 7380, 8730): the firm holds less than it owes its customers (V06).",
    notice="immediate notice to the CFTC and the DSRO (17 CFR 1.12(h)); deposit funds to cover it at once",
)
def check_deficiency(filing: Filing, context: Context) -> Iterator[Hit]:
    for place in _standings(filing).values():
        if place.excess is not None and place.deficient:
            statement = CATALOGUE.statement_by_id[place.statement]
            yield Hit(
                f"{statement.heading}: deficiency of {format_amount(-place.excess)}",
                statement=statement.id,
                codes=(str(statement.excess),),
                expected=Decimal(0),
                actual=place.excess,
                difference=place.excess,
            )


@rule(
    "below-undermargined",
    question="firm",
    severity="error",
    citation="17 CFR 1.12(j); 1.22(c); 30.7(f); 22.2(f)(6)",
    description="Residual interest (excess) below the undermargined total, where the caller supplies it (V14).",
    notice="immediate notice to the CFTC and the DSRO (17 CFR 1.12(j)); restore immediately",
)
def check_below_undermargined(filing: Filing, context: Context) -> Iterator[Hit]:
    for statement_id, undermargined in context.undermargined.items():
        statement = CATALOGUE.statement_by_id[statement_id]
        excess = filing.get(statement.excess)
        if excess is not None and excess < undermargined:
            yield Hit(
                f"{statement.heading}: excess {format_amount(excess)} does not cover undermargined amounts of "
                f"{format_amount(undermargined)}",
                statement=statement_id,
                codes=(str(statement.excess),),
                expected=undermargined,
                actual=excess,
                difference=excess - undermargined,
            )


@rule(
    "below-target",
    question="firm",
    severity="warning",
    citation="17 CFR 1.12(j)",
    description="Excess at or above zero but below the management target: 7198, 7785 or 8770 below zero, or the "
    "excess under the target line or the cover-page target when those lines are not filed (V07).",
    notice="immediate notice to the CFTC and the DSRO (17 CFR 1.12(j)); restore by the next business day or revise the target",
)
def check_below_target(filing: Filing, context: Context) -> Iterator[Hit]:
    for place in _standings(filing).values():
        if not place.below_target or place.excess is None or place.target is None or place.over_target is None:
            continue
        statement = CATALOGUE.statement_by_id[place.statement]
        yield Hit(
            f"{statement.heading}: excess {format_amount(place.excess)} is {format_amount(-place.over_target)} "
            f"under the target {format_amount(place.target)} ({place.target_source})",
            statement=statement.id,
            codes=(str(statement.excess), str(statement.target)),
            expected=place.target,
            actual=place.excess,
            difference=place.over_target,
        )


@rule(
    "target-missing",
    question="filing",
    severity="warning",
    citation="form-spec 3-5; V08",
    description="A filing in the full layout states its management target on each filed statement.",
)
def check_target_missing(filing: Filing, context: Context) -> Iterator[Hit]:
    if filing.layout != "full":
        return
    for statement_id in filing.statements:
        statement = CATALOGUE.statement_by_id.get(statement_id)
        if statement is not None and statement.target not in filing:
            yield Hit(
                f"{statement.heading}: no management target line {statement.target}",
                statement=statement_id,
                codes=(str(statement.target),),
                expected="a target amount",
                actual="nothing",
            )


@rule(
    "target-cover",
    question="filing",
    severity="warning",
    tier="strict",
    citation="form-spec 8.9; V16",
    description="The target line agrees with the cover-page target (dollar minimum or lower bound; percentages of the "
    "requirement), a presumed derivation.",
)
def check_target_cover(filing: Filing, context: Context) -> Iterator[Hit]:
    if filing.cover is None:
        return
    for statement in CATALOGUE.statements:
        cover_target = filing.cover.target(statement.id)
        line = filing.get(statement.target)
        place = standing(filing, statement.id)
        if cover_target is None or line is None or place.requirement is None:
            continue
        derived = to_dollars(cover_target.dollars(place.requirement))
        if abs(line - derived) > context.tolerance:
            yield Hit(
                f"target line {statement.target} is {format_amount(line)}; "
                f"the cover page's {cover_target.kind.replace('_', ' ')} gives {format_amount(derived)}",
                statement=statement.id,
                codes=(str(statement.target),),
                expected=derived,
                actual=line,
                difference=line - derived,
            )


RULES = (check_deficiency, check_below_undermargined, check_below_target, check_target_missing, check_target_cover)
