"""Findings, rules and the registry that holds them.

A rule is a plain function registered with a short stable id, a severity, a citation and a description.
It receives the filing and the validation context and yields findings. The CLI, the API and the pages
all show the same `Finding` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dailyseg.catalogue import Severity
from dailyseg.filing import Filing

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "notice": 2}


@dataclass(frozen=True)
class Context:
    """What a validation is told beyond the filing itself.

    `tolerance` is the largest difference, in dollars, that still counts as equal (default: exact to the
    dollar). `undermargined` holds, by statement, the undermargined total the residual interest must cover
    (17 CFR 1.22), when the caller knows it.
    """

    tolerance: Decimal = Decimal(0)
    undermargined: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    statement: str | None
    codes: tuple[str, ...]
    message: str
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None
    difference: Decimal | None = None
    citation: str = ""

    def to_dict(self) -> dict[str, Any]:
        def text(value: object) -> str | None:
            return None if value is None else str(value)

        return {
            "rule": self.rule,
            "severity": self.severity,
            "statement": self.statement,
            "codes": list(self.codes),
            "message": self.message,
            "expected": text(self.expected),
            "actual": text(self.actual),
            "difference": text(self.difference),
            "citation": self.citation,
        }


Check = Callable[[Filing, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    citation: str
    description: str
    check: Check

    def run(self, filing: Filing, context: Context) -> Iterator[Finding]:
        yield from self.check(filing, context)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, citation: str, description: str) -> Callable[[Check], Check]:
    """Register a check under `rule_id`. Ids are stable: scripts select rules by them."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, citation, description, check)
        return check

    return register


class UnknownRuleError(ValueError):
    pass


def select(ids: Iterable[str] | None) -> list[Rule]:
    """The rules named (all when None), refusing a name that is not registered."""
    if ids is None:
        return list(RULES.values())
    chosen = []
    for rule_id in ids:
        if rule_id not in RULES:
            raise UnknownRuleError(f"no rule {rule_id!r}; known rules: {', '.join(sorted(RULES))}")
        chosen.append(RULES[rule_id])
    return chosen


def validate(filing: Filing, rules: Iterable[str] | None = None, context: Context | None = None) -> list[Finding]:
    """Run the chosen rules on a filing; findings come back errors first, then by statement and code."""
    context = context or Context()
    findings = [finding for r in select(rules) for finding in r.run(filing, context)]
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.statement or "", f.codes, f.rule))
