"""Commands that read a filing: show, validate, convert."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import click

from dailyseg.cli.app import (
    FOUND_ERRORS,
    OK,
    fail,
    format_option,
    main,
    output_option,
    read_for_json,
    read_or_exit,
    write_output,
)
from dailyseg.cli.output import SEVERITY_STYLE, emit_json, is_terminal, render, say, write
from dailyseg.cli.rule_options import choose_rules, rule_options
from dailyseg.render import FORMATS, renderer
from dailyseg.verdict import document_ok, errors, read_errors

if TYPE_CHECKING:
    from dailyseg.checks import Context, Finding, Selection
    from dailyseg.filing import Filing
    from dailyseg.problems import ReadResult


def _context(tolerance: str) -> Context:
    from dailyseg.checks import Context

    try:
        dollars = Decimal(tolerance)
    except InvalidOperation:
        fail(f"--tolerance expects dollars such as 0 or 5, found {tolerance!r}")
    if not dollars.is_finite() or dollars < 0:
        fail(f"--tolerance must be zero or positive, found {tolerance}")
    return Context(tolerance=dollars)


tolerance_option = click.option(
    "--tolerance", default="0", show_default=True, metavar="DOLLARS", help="Largest difference that still counts as equal."
)


def _findings(filings: Sequence[Filing], chosen: Selection, context: Context) -> list[tuple[Filing, list[Finding]]]:
    from dailyseg.checks import validate

    return [(f, validate(f, chosen.ids, context, tier=chosen.tier)) for f in filings]


def _errors(result: ReadResult, reports: Sequence[tuple[Filing, Sequence[Finding]]]) -> int:
    return errors(result.problems, (found for _, found in reports))


def _emit_validation(result: ReadResult, reports: Sequence[tuple[Filing, Sequence[Finding]]], chosen: Selection, context: Context) -> None:
    """`show` and `validate` write one report, the one POST /api/validate answers for the same document."""
    from dailyseg.shapes import Validation, dump

    emit_json(
        dump(
            Validation.of(
                result.source, document_ok(result.problems, (found for _, found in reports)), result.problems, reports, chosen, context
            )
        )
    )


@main.command()
@click.argument("file")
@format_option(
    ["text", "csv", "json"], "text", help="text: laid out like the form; csv: the long form; json: values and findings, as validate --json."
)
@rule_options
@tolerance_option
def show(file: str, fmt: str, rules: tuple[str, ...], strict: bool, tolerance: str) -> None:
    """Show FILE laid out like the form, with findings on their lines.

    \b
    Exit codes: 0 shown; 1 part of FILE could not be read; 2 FILE unreadable.
    """
    context, chosen = _context(tolerance), choose_rules(rules, strict)
    result = read_for_json(file, chosen, context) if fmt == "json" else read_or_exit(file)
    reports = _findings(result.filings, chosen, context)
    if fmt == "json":
        _emit_validation(result, reports, chosen, context)
    elif fmt == "csv":
        write(str(renderer("csv")(result.filings)))
    else:
        from dailyseg.render.terminal import filing_lines, filing_renderable

        for filing, found in reports:
            if is_terminal():
                render(filing_renderable(filing, found))
            else:
                write("".join(line + "\n" for line in filing_lines(filing, found)))
    sys.exit(FOUND_ERRORS if read_errors(result.problems) else OK)


@main.command(name="validate")
@click.argument("file")
@format_option(["text", "json"], "text", help="text: a line per filing and per finding; json: for scripts.")
@rule_options
@tolerance_option
def validate_command(file: str, fmt: str, rules: tuple[str, ...], strict: bool, tolerance: str) -> None:
    """Check every filing in FILE. Two questions, answered apart: is the filing right (formulas, signs, header,
    completeness) and is the firm in trouble (events: a deficiency, excess below target, a late INITIAL).
    Events are listed first.

    \b
    Exit codes: 0 no error; 1 an error finding (a defect, or an event such as a deficiency), or part of FILE
    unreadable; 2 FILE unreadable, or an unknown rule id.
    With --json the report is JSON in every case, "ok": false and no filings when FILE is unreadable.
    """
    context, chosen = _context(tolerance), choose_rules(rules, strict)
    result = read_for_json(file, chosen, context) if fmt == "json" else read_or_exit(file)
    reports = _findings(result.filings, chosen, context)
    errors = _errors(result, reports)
    if fmt == "json":
        _emit_validation(result, reports, chosen, context)
    else:
        for filing, found in reports:
            defects = [x for x in found if not x.is_event]
            events = [x for x in found if x.is_event]
            errors_found = sum(1 for x in defects if x.severity == "error")
            verdict = ("valid", "green") if errors_found == 0 else ("INVALID", "bold red")
            tally = f" ({errors_found} errors, {len(defects) - errors_found} warnings)"
            happened = (f"; {len(events)} events: " + ", ".join(dict.fromkeys(x.rule for x in events)), "bold") if events else ""
            say(f"{filing.label}: ", verdict, tally, happened)
            for x in found:
                kind = "EVENT" if x.is_event else x.severity
                notice = f"; notice: {x.notice}" if x.notice else ""
                say("  ", (f"{kind:<7}", SEVERITY_STYLE[x.severity]), f" {x.rule:<15} {x.message}{notice}")
    sys.exit(FOUND_ERRORS if errors else OK)


@main.command()
@click.argument("file")
@format_option(FORMATS, None, help="The format to write (required).")
@output_option()
def convert(file: str, fmt: str, output: str | None) -> None:
    """Convert FILE to another format.

    \b
    Exit codes: 0 converted; 1 part of FILE could not be read (reported on standard error); 2 FILE
    unreadable, or the output could not be written.
    """
    result = read_or_exit(file)
    write_output(renderer(fmt)(result.filings), output)
    sys.exit(FOUND_ERRORS if read_errors(result.problems) else OK)
