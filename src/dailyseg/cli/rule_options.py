"""The options that choose which rules a command runs: `--rules` by id, `--strict` for the strict tier.

Every command that validates takes both, so a rule is chosen the same way wherever it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dailyseg.cli.app import UNREADABLE, fail

if TYPE_CHECKING:
    from dailyseg.checks import Selection

F = TypeVar("F", bound=Callable[..., Any])


def choose_rules(rules: tuple[str, ...], strict: bool) -> Selection:
    """The rules named by `--rules` (refusing an unknown id, exit 2) and the tier `--strict` asks for."""
    from dailyseg.checks import REGISTRY, Selection, UnknownRuleError

    selection = Selection.of(rules, strict=strict)
    try:
        REGISTRY.chosen(selection)
    except UnknownRuleError as problem:
        fail(str(problem), UNREADABLE)
    return selection


def rule_options(command: F) -> F:
    """Add `--rules` and `--strict` (the command takes `rules` and `strict` and calls `choose_rules`)."""
    command = click.option(
        "--strict", is_flag=True, help="Also run the strict tier: soft cross-checks and heuristics (see `dailyseg rules`)."
    )(command)
    return click.option(
        "--rules", "rules", multiple=True, metavar="ID[,ID...]", help="Run only these rules, whatever their tier (see `dailyseg rules`)."
    )(command)
