"""Commands that watch firms over time: monitor."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from rich.table import Table

from dailyseg.cli.app import FOUND_ERRORS, OK, emit_json, main, stdout
from dailyseg.cli.store_options import day, db_option, firm_id_or_exit, open_store, period_options
from dailyseg.store.monitor import RULES, UnusualMoveRule, watch

_STYLE = {"error": "red", "warning": "yellow", "notice": "cyan"}


@main.command()
@click.argument("firm", required=False)
@period_options
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def monitor(firm: str | None, start: datetime | None, end: datetime | None, db: str | None, as_json: bool) -> None:
    """Findings over time for FIRM (default: every firm): deficiencies, excess below target, falls of more than
    25% of residual interest, business days with no filing, late INITIAL filings, amendments and what they
    changed, unusual day-over-day moves. Exit 1 when a deficiency is found."""
    rule = UnusualMoveRule()
    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = watch(store, firm_id, day(start), day(end), unusual=rule)
    if as_json:
        emit_json(
            {
                "rules": {rule_id: {"severity": s, "description": d} for rule_id, (s, d) in RULES.items()},
                "unusual_move_rule": rule.describe(),
                "findings": [o.to_dict() for o in found],
            }
        )
    else:
        table = Table("End Date", "firm", "severity", "rule", "finding")
        for o in found:
            severity = o.finding.severity
            table.add_row(
                str(o.end_date), o.firm_id, f"[{_STYLE[severity]}]{severity}[/]", o.finding.rule, o.finding.message.split(": ", 1)[-1]
            )
        stdout.print(table)
        stdout.print(f"{len(found)} findings. Unusual move: {rule.describe()}.", highlight=False)
    sys.exit(FOUND_ERRORS if any(o.finding.severity == "error" for o in found) else OK)
