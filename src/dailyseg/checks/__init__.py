"""Validation: named rules that turn a filing into findings.

Importing this package registers every rule. Select rules by id (`validate(filing, ["formulas"])`).
"""

from dailyseg.checks import arithmetic, header, notices  # noqa: F401  (registers the rules)
from dailyseg.checks.registry import RULES, Context, Finding, Rule, UnknownRuleError, rule, select, validate

__all__ = ["RULES", "Context", "Finding", "Rule", "UnknownRuleError", "rule", "select", "validate"]
