"""Commands for what others publish about a firm: import-nfa (NFA's public FCM summaries) and observations
(a firm's stored CFTC rows and NFA summaries, every figure with its source)."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import click

from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, format_option, main, period_options
from dailyseg.cli.output import SEVERITY_STYLE, Cell, Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store

if TYPE_CHECKING:
    from dailyseg.watch.nfa_import import NfaImport
    from dailyseg.watch.observations import FirmObservation

LISTING = ["table", "csv", "json"]


@main.command(name="import-nfa")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@db_option
@format_option(["text", "json"], "text", help="text: a line per file (stored, already had, problems), then each problem.")
def import_nfa(files: tuple[str, ...], db: str | None, fmt: str) -> None:
    """Store NFA's public FCM summaries (BASIC's segregation, 30.7 secured and cleared swaps pages, saved as text
    or HTML; dailyseg's own publish summary too), one observation per firm, pool and as-of date.

    Each file is stored whole or not at all: a file part of which cannot be read stores nothing. Importing a file
    again stores nothing new. Percentages that do not add up to 100 (beyond rounding) are warnings.

    \b
    Exit codes: 0 every file stored, no problem; 1 a problem in some file (a warning, or a file not stored);
    2 no file could be read at all, or the store could not be opened or failed part-way.
    """
    from dailyseg.watch.nfa_import import import_file

    with open_store(db, create=True) as store:
        results = [import_file(store, name) for name in files]
    if fmt == "json":
        from dailyseg.shapes import NfaImportReport, dump

        emit_json(dump(NfaImportReport.of(results)))
    else:
        for result in results:
            _say_import(result)
    if not any(r.summaries for r in results):
        sys.exit(UNREADABLE)
    sys.exit(FOUND_ERRORS if any(r.problems for r in results) else OK)


def _say_import(result: NfaImport) -> None:
    refused = ", nothing stored: part of it could not be read" if result.refused and result.summaries else ""
    say(f"{result.source}: stored {result.stored}, already had {result.already_present}, {len(result.problems)} problems{refused}")
    for problem in result.problems:
        say("  ", (problem.severity, SEVERITY_STYLE[problem.severity]), ": ", str(problem))


@main.command()
@click.argument("firm")
@period_options
@db_option
@format_option(LISTING, "table")
def observations(firm: str, start: date | None, end: date | None, db: str | None, fmt: str) -> None:
    """FIRM's stored observations from outside its own filings: the CFTC's month-end rows (import-cftc) and NFA's
    summaries (import-nfa), each with its source and file, as-of date and every figure: amounts, percentages of
    funds and words. --from and --to bound the as-of date. The table has a line per figure.

    \b
    Exit codes: 0 listed (perhaps nothing); 2 no such firm, or the store could not be opened or read.
    """
    from dailyseg.watch.observations import observations as observed

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm)
        found = observed(store, firm_id, start, end)
    if fmt == "json":
        from dailyseg.shapes import ObservationsReport, dump

        emit_json(dump(ObservationsReport.of(firm_id, found)))
        return
    listing = Listing(
        [
            Column("as_of", "as of", "date"),
            Column("source", "source", "id"),
            Column("pool", "pool", "id"),
            Column("field", "field"),
            Column("amount", "amount", "amount"),
            Column("percent", "%", "number"),
            Column("text", "text"),
            Column("file", "file"),
        ]
    )
    for observation in found:
        for field, cells in _figures(observation):
            listing.add(observation.as_of, observation.source, observation.pool, field, *cells, observation.file)
    show(listing, fmt)
    if fmt == "table":
        say(f"{len(found)} observations.")


def _figures(observation: FirmObservation) -> list[tuple[str, tuple[Cell, Cell, Cell]]]:
    """An observation's figures as (field, (amount, percent, text)): amounts, then percentages, then words."""
    rows: list[tuple[str, tuple[Cell, Cell, Cell]]] = [(k, (v, None, None)) for k, v in observation.amounts.items()]
    for breakdown, shares in observation.percentages.items():
        rows += [(f"{breakdown}:{label}", (None, percent, None)) for label, percent in shares.items()]
    rows += [(k, (None, None, text)) for k, text in observation.texts.items()]
    return rows
