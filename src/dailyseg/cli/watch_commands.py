"""Commands that watch firms over time: monitor, import-cftc and month-end (the CFTC's month-end figures beside
the daily filings), publish."""

from __future__ import annotations

import sys
import zipfile
from datetime import datetime
from pathlib import Path

import click
from rich.table import Table

from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, emit_json, fail, main, stdout, write_output
from dailyseg.cli.store_options import day, db_option, firm_id_or_exit, open_store, period_options
from dailyseg.money import format_amount
from dailyseg.render.pdf import html_to_pdf
from dailyseg.store.cftc import import_table
from dailyseg.store.monitor import RULES, UnusualMoveRule, watch
from dailyseg.store.monthend import compare_month_end
from dailyseg.store.publish import publication, render_publication

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


@main.command(name="import-cftc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_cftc(file: Path, db: str | None, as_json: bool) -> None:
    """Store the CFTC's monthly "Selected FCM Financial Data" table (CSV or XLSX) as month-end observations.

    Columns are recognised by their header words, whatever the year; footnote marks are read as no value.
    Rows whose excess is not funds minus requirement are flagged. Exit 1 when a row is flagged.
    """
    with open_store(db, create=True) as store:
        try:
            report = import_table(store, file)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            fail(f"{file}: cannot read the table: {error}", UNREADABLE)
    if as_json:
        emit_json(report.to_dict())
    else:
        stdout.print(
            f"{file}: {report.imported} rows stored, {report.already_present} already present, {len(report.flagged)} flagged",
            highlight=False,
        )
        for row, problems in report.flagged:
            for problem in problems:
                stdout.print(f"  [yellow]flagged[/] line {row.line} {row.firm} {row.as_of}: {problem}", highlight=False)
        for line in [*report.skipped, *report.notes]:
            stdout.print(f"  note: {line}", highlight=False)
    if not report.imported and not report.already_present:
        sys.exit(UNREADABLE)
    sys.exit(FOUND_ERRORS if report.flagged else OK)


@main.command(name="month-end")
@click.argument("firm")
@period_options
@db_option
@click.option("--differences", is_flag=True, help="Show only figures that differ or have no counterpart.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def month_end(firm: str, start: datetime | None, end: datetime | None, db: str | None, differences: bool, as_json: bool) -> None:
    """FIRM's month-end figures from the CFTC's table (stored by import-cftc) beside its daily filing for the
    same End Date: funds, requirement, excess and target of each class, and the difference (filed - CFTC).
    Exit 1 when a figure differs or a month end has no daily filing; 2 when there is nothing to compare."""
    with open_store(db) as store:
        figures = compare_month_end(store, firm_id_or_exit(store, firm), day(start), day(end))
    if not figures:
        fail(f"no CFTC month-end figures for {firm!r} in this period: store the CFTC table with import-cftc first", UNREADABLE)
    mismatched = [f for f in figures if f.status in ("differs", "no daily filing")]
    shown = mismatched if differences else figures
    if as_json:
        emit_json({"firm": firm, "figures": [f.to_dict() for f in shown], "mismatched": len(mismatched)})
    else:
        table = Table("as of", "statement", "figure", "code", "CFTC", "daily filing", "difference", "status")
        for f in shown:
            style = {"differs": "red", "no daily filing": "yellow"}.get(f.status, "")
            table.add_row(
                str(f.as_of),
                f.statement,
                f.measure,
                str(f.code),
                *(format_amount(v) if v is not None else "-" for v in (f.cftc, f.filed, f.difference)),
                f"[{style}]{f.status}[/]" if style else f.status,
            )
        stdout.print(table)
        stdout.print(f"{len(figures)} figures, {len(mismatched)} differ or have no daily filing.", highlight=False)
    sys.exit(FOUND_ERRORS if mismatched else OK)


@main.command()
@click.argument("firm")
@click.option("--to", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True, help="Output format.")
@click.option("-o", "--output", metavar="OUT", help="Write here (atomically) instead of standard output.")
@click.option("--end", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the 12 months (default: the latest filing).")
@db_option
def publish(firm: str, fmt: str, output: str | None, end: datetime | None, db: str | None) -> None:
    """FIRM's public pages: the one-page summary (funds, requirement, excess, target, funds by holding type, a
    chart) and 12 months of daily figures as 17 CFR 1.55(o) requires, amended days marked."""
    with open_store(db) as store:
        try:
            html = render_publication(publication(store, firm_id_or_exit(store, firm), day(end)))
        except KeyError as error:
            fail(str(error.args[0]), UNREADABLE)
    write_output(html_to_pdf(html) if fmt == "pdf" else html, output)
