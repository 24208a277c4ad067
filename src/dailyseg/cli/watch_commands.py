"""Commands that watch firms over time: monitor and its loop, watch; import-cftc and month-end (the CFTC's
month-end figures, and NFA's summaries, beside the daily filings), publish."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dailyseg.cli.app import DAY, FOUND_ERRORS, OK, UNREADABLE, fail, format_option, main, output_option, period_options, write_output
from dailyseg.cli.output import SEVERITY_STYLE, Column, Listing, Styled, emit_json, progress, say, show, status
from dailyseg.cli.rule_options import choose_rules, rule_options
from dailyseg.cli.store_options import as_of_option, db_option, firm_id_or_exit, open_store

if TYPE_CHECKING:
    from dailyseg.alerts.deliver import Report
    from dailyseg.checks import Selection
    from dailyseg.store import Store
    from dailyseg.watch.monitor import Observation, UnusualMoveRule

LISTING = ["table", "csv", "json"]
F = TypeVar("F", bound=Callable[..., Any])
# How often `dailyseg watch` looks, by default: a filing or close turns overdue at noon, and a failed delivery
# waits a minute at least before its next attempt, so five minutes loses nothing and costs little.
WATCH_EVERY_SECONDS = 300.0


def stale_after_option(function: F) -> F:
    """`--stale-after DAYS`: business days a depository balance may go unconfirmed (the stale-confirmation rule)."""
    from dailyseg.checks.computation import STALE_AFTER_DAYS

    return click.option(
        "--stale-after",
        "stale_after",
        type=click.IntRange(min=1),
        default=STALE_AFTER_DAYS,
        show_default=True,
        metavar="DAYS",
        help="A depository balance with no matching stored confirmation (reconcile --db) for this many business days is stale.",
    )(function)


def monitor_findings(
    store: Store,
    firm_id: str | None,
    start: date | None,
    end: date | None,
    as_of: date | None,
    *,
    unusual: UnusualMoveRule,
    selection: Selection,
    stale_after: int,
) -> list[Observation]:
    """The monitor's findings over the filings, with the stale confirmations as of `as_of`, else `end`, else the
    last business day before today in New York (today's confirmations come after today's close)."""
    from dailyseg.alerts.stale import RULE, stale_confirmations
    from dailyseg.calendar import FILING_ZONE, previous_business_day
    from dailyseg.checks import REGISTRY
    from dailyseg.cli.alert_commands import merged
    from dailyseg.watch.monitor import watch

    found = watch(store, firm_id, start, end, unusual=unusual, selection=selection, as_of=as_of)
    if RULE not in {r.id for r in REGISTRY.chosen(selection)}:
        return found
    judged = as_of or end or previous_business_day(datetime.now(FILING_ZONE).date())
    return merged(found, stale_confirmations(store, firm_id, judged, stale_after))


@main.command()
@click.argument("firm", required=False)
@period_options
@as_of_option
@rule_options
@stale_after_option
@click.option(
    "--notify",
    is_flag=True,
    help="Send each new event to its subscribers (dailyseg alerts), once; without --to and --as-of, also the dead-man "
    "checks: a filing, or a daily close, not there by its due time.",
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
    stale_after: int,
    notify: bool,
    db: str | None,
    fmt: str,
) -> None:
    """Findings over time for FIRM (default: every firm): every rule `validate` runs, on each End Date's filing of
    record, and the rules over time: falls of more than 25% of residual interest, business days with no filing, a
    firm that stopped filing, amendments and what they changed, unusual day-over-day moves, depository balances
    without a matching confirmation for --stale-after business days. Events come first.

    With --notify each new event goes to its subscribers once (`dailyseg alerts`, docs/alerts.md) and a summary
    goes to standard error; the exit code stays the monitor's (`alerts send` retries what did not go).

    \b
    Exit codes: 0 no error finding; 1 an error finding (a deficiency, or a filing that does not foot); 2 no such
    firm, an unknown rule id, or the store could not be opened or read.
    """
    from dailyseg.watch.monitor import UnusualMoveRule

    rule = UnusualMoveRule()
    chosen = choose_rules(rules, strict)
    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = monitor_findings(store, firm_id, start, end, as_of, unusual=rule, selection=chosen, stale_after=stale_after)
        if notify:
            from dailyseg.cli.alert_commands import notify_found

            found = notify_found(store, found, firm_id, dead_man=end is None and as_of is None, selection=chosen)
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


def _watch_pass(db: str | None, selection: Selection, stale_after: int) -> Report:
    """One pass of `watch`: the monitor over every firm as of now, the dead-man checks, queueing and sending."""
    from dailyseg.cli.alert_commands import notify_pass
    from dailyseg.store import Store
    from dailyseg.store.database import store_errors
    from dailyseg.watch.monitor import UnusualMoveRule

    with Store.open(db, create=False) as store, store_errors(store.engine.url):
        found = monitor_findings(store, None, None, None, None, unusual=UnusualMoveRule(), selection=selection, stale_after=stale_after)
        return notify_pass(store, found, None, dead_man=True, selection=selection)[1]


def _pass_line(number: int, report: Report) -> str:
    from dailyseg.cli.alert_commands import summary

    failures = "".join(f"; delivery {o.delivery_id} {o.state}: {o.error}" for o in report.outcomes if o.state != "delivered")
    return f"watch: pass {number} at {datetime.now(UTC).isoformat(timespec='seconds')}: {summary(report, queueing=True)}{failures}"


@main.command(name="watch")
@click.option(
    "--every",
    type=click.FloatRange(min=0.1),
    default=WATCH_EVERY_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="Seconds to wait after a pass before the next.",
)
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a systemd timer).")
@rule_options
@stale_after_option
@db_option
def watch_command(every: float, once: bool, rules: tuple[str, ...], strict: bool, stale_after: int, db: str | None) -> None:
    """Watch every firm and alert: each pass runs `monitor --notify` (the monitor's events, the dead-man checks
    of filings and daily closes, stale confirmations) and retries what is due (`alerts send`), then waits
    --every seconds. Each event reaches each subscriber once, across passes and restarts (docs/alerts.md).

    One line per pass on standard error: what was queued, delivered, left to be tried again and failed, and
    why. Ctrl-C or SIGTERM stops it after the pass under way. A store that cannot be read in a later pass (its
    server restarting) is reported on the pass's line and tried again at the next.

    \b
    Exit codes: 0 stopped by Ctrl-C or SIGTERM, or with --once every attempt delivered (or nothing was due);
    1 with --once an attempt failed; 2 an unknown rule id, or the store could not be opened or read (at the first
    pass, or with --once).
    """
    from dailyseg.store import StoreError

    chosen = choose_rules(rules, strict)
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)} if not once else {}
    number = 0
    try:
        while not stop.is_set():
            number += 1
            try:
                report = _watch_pass(db, chosen, stale_after)
            except StoreError as problem:
                if once or number == 1:
                    fail(str(problem), UNREADABLE)
                say(("watch", "red"), f": pass {number} failed: {problem}", err=True)
            else:
                say(_pass_line(number, report), err=True)
                if once:
                    sys.exit(FOUND_ERRORS if any(o.state != "delivered" for o in report.outcomes) else OK)
            stop.wait(every)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    say(f"watch: stopped after {number} passes", err=True)
    sys.exit(OK)


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
