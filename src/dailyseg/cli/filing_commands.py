"""Commands that read a filing: show, validate, convert."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click

from dailyseg.checks import RULES, Context, UnknownRuleError, select, validate
from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, emit_json, fail, main, read_errors, read_or_exit, stdout, write_output
from dailyseg.render import RENDERERS
from dailyseg.render.terminal import filing_renderable
from dailyseg.serial import filing_to_dict


def _rules(value: tuple[str, ...]) -> list[str] | None:
    names = [name.strip() for item in value for name in item.split(",") if name.strip()]
    if not names:
        return None
    try:
        select(names)
    except UnknownRuleError as error:
        fail(str(error), UNREADABLE)
    return names


def _tolerance(value: str) -> Decimal:
    try:
        tolerance = Decimal(value)
    except InvalidOperation:
        fail(f"--tolerance expects dollars such as 0 or 5, found {value!r}")
    if tolerance < 0 or not tolerance.is_finite():
        fail(f"--tolerance must be zero or positive, found {value}")
    return tolerance


rules_option = click.option("--rules", "rules", multiple=True, metavar="ID[,ID...]", help="Run only these rules (see `dailyseg rules`).")
tolerance_option = click.option(
    "--tolerance", default="0", show_default=True, metavar="DOLLARS", help="Largest difference that still counts as equal."
)


@main.command()
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the filing and its findings as JSON.")
@rules_option
@tolerance_option
def show(file: str, as_json: bool, rules: tuple[str, ...], tolerance: str) -> None:
    """Show FILE laid out like the form, with findings on their lines."""
    result = read_or_exit(file)
    context = Context(tolerance=_tolerance(tolerance))
    chosen = _rules(rules)
    if as_json:
        emit_json(
            {
                "source": result.source,
                "problems": [p.to_dict() for p in result.problems],
                "filings": [filing_to_dict(f) | {"findings": [x.to_dict() for x in validate(f, chosen, context)]} for f in result.filings],
            }
        )
        return
    for filing in result.filings:
        stdout.print(filing_renderable(filing, validate(filing, chosen, context)))


@main.command(name="validate")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON for scripts.")
@rules_option
@tolerance_option
def validate_command(file: str, as_json: bool, rules: tuple[str, ...], tolerance: str) -> None:
    """Check every filing in FILE. Exit 0: no error; 1: an error finding; 2: FILE unreadable."""
    result = read_or_exit(file)
    context = Context(tolerance=_tolerance(tolerance))
    chosen = _rules(rules)
    reports = [(f, validate(f, chosen, context)) for f in result.filings]
    errors = read_errors(result) + sum(1 for _, found in reports for x in found if x.severity == "error")
    if as_json:
        emit_json(
            {
                "source": result.source,
                "ok": errors == 0,
                "tolerance": str(context.tolerance),
                "rules": chosen or sorted(RULES),
                "problems": [p.to_dict() for p in result.problems],
                "filings": [
                    {
                        "firm": f.header.firm_name,
                        "end_date": f.header.end_date.isoformat() if f.header.end_date else None,
                        "status": f.header.status,
                        "layout": f.layout,
                        "findings": [x.to_dict() for x in found],
                    }
                    for f, found in reports
                ],
            }
        )
    else:
        for filing, found in reports:
            counts = {s: sum(1 for x in found if x.severity == s) for s in ("error", "warning", "notice")}
            verdict = "[green]valid[/]" if counts["error"] == 0 else "[red]INVALID[/]"
            stdout.print(f"{filing.label}: {verdict} ({counts['error']} errors, {counts['warning']} warnings, {counts['notice']} notices)")
            for x in found:
                style = {"error": "red", "warning": "yellow", "notice": "cyan"}[x.severity]
                stdout.print(f"  [{style}]{x.severity:<7}[/] {x.rule:<15} {x.message}", highlight=False)
    sys.exit(FOUND_ERRORS if errors else OK)


@main.command()
@click.argument("file")
@click.option("--to", "fmt", type=click.Choice(sorted(RENDERERS)), required=True, help="Output format.")
@click.option("-o", "--output", metavar="OUT", help="Write here (atomically) instead of standard output.")
def convert(file: str, fmt: str, output: str | None) -> None:
    """Convert FILE to another format. Exit 1 if part of FILE could not be read (reported on stderr)."""
    result = read_or_exit(file)
    write_output(RENDERERS[fmt](result.filings), output)
    sys.exit(FOUND_ERRORS if read_errors(result) else OK)
