"""Validation: every rule of the project, in one immutable registry, and the findings they make.

`REGISTRY` is built here, once, from each rule module's `RULES`; its order is the order in which findings of
the same question and severity are listed. Select rules by id (`validate(filing, ["formulas"])`) or by tier
(`validate(filing, tier="strict")`).
"""

from dailyseg.checks import arithmetic, computation, events, header, history, reading, withdrawals
from dailyseg.checks.registry import (
    QUESTIONS,
    SEVERITIES,
    TIERS,
    Context,
    Finding,
    Hit,
    Question,
    Registry,
    Rule,
    Scope,
    Selection,
    Tier,
    UnknownRuleError,
)

REGISTRY = Registry(
    (*events.RULES, *history.RULES, *reading.RULES, *header.RULES, *arithmetic.RULES, *computation.RULES, *withdrawals.RULES)
)
validate = REGISTRY.validate
select = REGISTRY.select

__all__ = [
    "QUESTIONS",
    "REGISTRY",
    "SEVERITIES",
    "TIERS",
    "Context",
    "Finding",
    "Hit",
    "Question",
    "Registry",
    "Rule",
    "Scope",
    "Selection",
    "Tier",
    "UnknownRuleError",
    "select",
    "validate",
]
