"""Commands that watch firms over time: monitor, import-cftc and month-end (the CFTC's month-end figures, and
NFA's summaries, beside the daily filings), publish."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from dailyseg.cli.app import DAY, FOUND_ERRORS, OK, UNREADABLE, fail, format_option, main, output_option, period_options, write_output
from dailyseg.cli.output import SEVERITY_STYLE, Column, Listing, Styled, emit_json, progress, say, show, status
from dailyseg.cli.rule_options import choose_rules, rule_options
from dailyseg.cli.store_options import as_of_option, db_option, firm_id_or_exit, open_store

LISTING = ["table", "csv", "json"]


@main.command()
@click.argument("firm", required=False)
@period_options
@as_of_option
@rule_options
@click.option(
    "--notify",
    is_flag=True,
    help="Send each new event to its subscribers (dailyseg alerts), once; without --to and --as-of, also the dead-man "
    "check: a filing not arrived by its due time.",
)
@db_option
@format_option(LISTING, "table")
def monitor(
    firm: str | None,
    start: date | None,
    end: date | None,
    as_of: date | None,
    rules: tuple[str, ...],
    strict: bool,
    notify: bool,
    db: str | None,
    fmt: str,
) -> None:
    """Findings over time for FIRM (default: every firm): every rule `validate` runs, on each End Date's filing of
    record, and the rules over time: falls of more than 25% of residual interest, business days with no filing, a
    firm that stopped filing, amendments and what they changed, unusual day-over-day moves. Events come first.

    With --notify each new event goes to its subscribers once (`dailyseg alerts`, docs/alerts.md) and a summary
    goes to standard error; the exit code stays the monitor's (`alerts send` retries what did not go).

    \b
    Exit codes: 0 no error finding; 1 an error finding (a deficiency, or a filing that does not foot); 2 no such
    firm, an unknown rule id, or the store could not be opened or read.
    """
    from dailyseg.watch.monitor import UnusualMoveRule, watch

    rule = UnusualMoveRule()
    chosen = choose_rules(rules, strict)
    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = watch(store, firm_id, start, end, unusual=rule, selection=chosen, as_of=as_of)
        if notify:
            from dailyseg.cli.alert_commands import notify_found

            watched = [firm_id] if firm_id is not None else store.firm_ids()
            found = notify_found(store, found, watched, dead_man=end is None and as_of is None, selection=chosen)
    if fmt == "json":
        from dailyseg.shapes import MonitorReport, dump

        emit_json(dump(MonitorReport.of(chosen, rule, found)))
    else:
        listing = Listing(
            [
                Column("end_date", "End Date", "date"),
                Column("firm_id", "firm", "id"),
                Column("kind", "kind", "id"),
                Column("severity", "severity", "id"),
                Column("rule", "rule", "id"),
                Column("since", "since", "date"),
                Column("finding", "finding"),
                Column("notice", "notice"),
            ]
        )
        for o in found:
            x = o.finding
            listing.add(
                o.end_date,
                o.firm_id,
                "event" if x.is_event else "defect",
                Styled(x.severity, SEVERITY_STYLE[x.severity]),
                x.rule,
                x.since,
                x.message.split(": ", 1)[-1],
                x.notice,
            )
        show(listing, fmt)
        if fmt == "table":
            say(f"{len(found)} findings. Unusual move: {rule.describe()}.")
    sys.exit(FOUND_ERRORS if any(o.finding.severity == "error" for o in found) else OK)


@main.command(name="import-cftc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@format_option(["text", "json"], "text", help="text: the summary, then a line per flagged row and note.")
def import_cftc(file: Path, db: str | None, fmt: str) -> None:
    """Store the CFTC's monthly "Selected FCM Financial Data" table (CSV or XLSX) as month-end observations.

    Columns are recognised by their header words, whatever the year (2006 on: the firm's own A/O Date is the row's
    as-of date; Reg As and B/D? are kept); footnote marks are read as no value. Rows whose excess is not funds
    minus requirement are flagged; a row not stored is listed with the reason.

    \b
    Exit codes: 0 stored; 1 a row flagged; 2 the table could not be read or held no row, or the store could not
    be opened or failed part-way.
    """
    import zipfile

    from dailyseg.watch.cftc import import_table

    with open_store(db, create=True) as store:
        try:
            report = import_table(store, file)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as problem:
            fail(f"{file}: cannot read the table: {problem}", UNREADABLE)
    if fmt == "json":
        from dailyseg.shapes import CftcImportReport, dump

        emit_json(dump(CftcImportReport.of(report)))
    else:
        say(f"{file}: {report.imported} rows stored, {report.already_present} already present, {len(report.flagged)} flagged")
        if report.eras:
            say(f"  columns of the table as published in: {', '.join(report.eras)}")
        for row, problems in report.flagged:
            for text in problems:
                say("  ", ("flagged", "yellow"), f" line {row.line} {row.firm} {row.as_of}: {text}")
        for line in [*report.skipped, *report.notes]:
            say(f"  note: {line}")
    if not report.imported and not report.already_present:
        sys.exit(UNREADABLE)
    sys.exit(FOUND_ERRORS if report.flagged else OK)


@main.command(name="month-end")
@click.argument("firm")
@period_options
@db_option
@click.option("--differences", is_flag=True, help="Show only figures that differ or have no counterpart.")
@format_option(LISTING, "table")
def month_end(firm: str, start: date | None, end: date | None, db: str | None, differences: bool, fmt: str) -> None:
    """FIRM's month-end figures from the CFTC's table (stored by import-cftc) beside its daily filing for the
    same End Date: funds, requirement, excess and target of each class, and the difference (filed - CFTC).
    NFA's public summary of the same day and pool (stored by import-nfa) is shown beside them with its file;
    a day either source gives is compared.

    \b
    Exit codes: 0 every figure agrees; 1 a figure differs (from the CFTC or NFA) or a day has no daily filing;
    2 nothing to compare, no such firm, or the store could not be opened or read.
    """
    from dailyseg.watch.monthend import compare_month_end

    with open_store(db) as store:
        figures = compare_month_end(store, firm_id_or_exit(store, firm), start, end)
    if not figures:
        fail(
            f"no CFTC month-end figures or NFA summaries for {firm!r} in this period: store them with import-cftc or import-nfa first",
            UNREADABLE,
        )
    mismatched = [f for f in figures if f.status in ("differs", "no daily filing")]
    shown = mismatched if differences else figures
    if fmt == "json":
        from dailyseg.shapes import MonthEndReport, dump

        emit_json(dump(MonthEndReport.of(firm, shown, len(mismatched))))
    else:
        listing = Listing(
            [
                Column("as_of", "as of", "date"),
                Column("statement", "statement", "id"),
                Column("figure", "figure", "id"),
                Column("code", "code", "id"),
                Column("cftc", "CFTC", "amount"),
                Column("filed", "daily filing", "amount"),
                Column("difference", "difference", "amount"),
                Column("nfa", "NFA", "amount"),
                Column("nfa_difference", "vs NFA", "amount"),
                Column("status", "status", "id"),
                Column("nfa_source", "NFA file"),
            ]
        )
        for f in shown:
            style = {"differs": "red", "no daily filing": "yellow"}.get(f.status, "")
            status = Styled(f.status, style)
            listing.add(
                f.as_of, f.statement, f.measure, str(f.code), f.cftc, f.filed, f.difference, f.nfa, f.nfa_difference, status, f.nfa_source
            )
        show(listing, fmt)
        if fmt == "table":
            say(f"{len(figures)} figures, {len(mismatched)} differ or have no daily filing.")
    sys.exit(FOUND_ERRORS if mismatched else OK)


@main.command()
@click.argument("firm")
@format_option(
    ["html", "pdf", "posting-set"],
    "html",
    help="html or pdf: the page; posting-set: the folder a firm posts (the page as index.html and index.pdf, each day's filing).",
)
@output_option("Write here (atomically) instead of standard output; for posting-set, the folder to write into.", metavar="FILE|DIR")
@click.option("--to", "end", type=DAY, help="Last End Date of the 12 months (default: the latest filing).")
@click.option("--day-pdfs", is_flag=True, help="With posting-set: each day's filing as PDF too (about 2 s a day, minutes for a year).")
@db_option
def publish(firm: str, fmt: str, output: str | None, end: date | None, day_pdfs: bool, db: str | None) -> None:
    """FIRM's public pages: the one-page summary (funds, requirement, excess, target, funds by holding type, a
    chart) and 12 months of daily figures as 17 CFR 1.55(o) requires, a table per statement, amended days and
    deficiencies marked.

    `--format posting-set -o DIR` writes the folder a firm posts: every day's filing as HTML (and as PDF with
    --day-pdfs) under DIR/days, an amended day's earlier versions beside it, each linked from the page; then
    the page as DIR/index.pdf and, last, DIR/index.html. Each file is written atomically, with the mode of a
    new file; progress is shown on a terminal.

    \b
    Exit codes: 0 written; 2 no such firm or no filing, a wrong option, the output could not be written, or the store
    could not be opened or read.
    """
    from dailyseg.watch.publish import posting_set, publication, render_publication

    if fmt == "posting-set" and output in (None, "-"):
        raise click.UsageError("--format posting-set writes a folder: name it with -o DIR")
    if day_pdfs and fmt != "posting-set":
        raise click.UsageError("--day-pdfs adds to --format posting-set")
    with open_store(db) as store, status("reading the filings and drawing the chart"):
        firm_id = firm_id_or_exit(store, firm)
        try:
            if fmt == "posting-set":
                files = posting_set(store, firm_id, end, day_pdfs=day_pdfs)
            else:
                html = render_publication(publication(store, firm_id, end))
        except KeyError as problem:
            fail(str(problem.args[0]), UNREADABLE)
    if fmt == "posting-set":
        folder = Path(str(output))
        with progress("writing the posting set", len(files), unit="files") as advance:
            for posted in files:
                write_output(posted.make(), str(folder / posted.path))
                advance(1)
    elif fmt == "pdf":
        from dailyseg.render.pdf import html_to_pdf

        write_output(html_to_pdf(html), output)
    else:
        write_output(html, output)
