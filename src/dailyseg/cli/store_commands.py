"""Commands over the history store: ingest, firms, filings, history, diff, alias."""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from datetime import datetime
from decimal import Decimal

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, emit_json, fail, main, stderr, stdout
from dailyseg.cli.store_options import day, db_option, firm_id_or_exit, open_store, parse_day, period_options
from dailyseg.filing import Filing
from dailyseg.money import format_amount
from dailyseg.store import FilingVersion, IngestOutcome, Store
from dailyseg.store.diff import LineChange, diff_filings, header_changes
from dailyseg.store.sources import expand

PROGRESS_FROM = 20  # documents; smaller batches finish before a bar would help
BATCH = 500  # filings per transaction: past a few hundred, larger batches gain little and hold more in memory


@main.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=BATCH,
    show_default=True,
    help="Filings written per transaction (whole documents are kept together).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every outcome and the summary as JSON.")
def ingest(paths: tuple[str, ...], db: str | None, batch: int, as_json: bool) -> None:
    """Store every filing in PATHS (files, folders, glob patterns; text, HTML, PDF, JSON, CSV).

    Documents are written in batches, one transaction each; a document is stored whole or not at all, even
    if the ingest is stopped, and the same filing twice is stored once. Unreadable files are reported and
    never stop the batch. Exit 0: all read; 1: some unreadable.
    """
    store = open_store(db, create=True)
    documents = list(expand(paths))
    with Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        disable=as_json or len(documents) < PROGRESS_FROM,
    ) as progress:
        task = progress.add_task("ingest", total=len(documents))
        outcomes = store.ingest_paths(documents, batch=batch, on_document=lambda _: progress.advance(task))
    store.close()
    counts = Counter(o.status for o in outcomes)
    summary = {status: counts.get(status, 0) for status in ("stored", "already-present", "amended", "unreadable")}
    if as_json:
        emit_json({"documents": len(documents), "summary": summary, "outcomes": [o.to_dict() for o in outcomes]})
    else:
        _print_ingest(len(documents), summary, outcomes)
    sys.exit(FOUND_ERRORS if summary["unreadable"] else OK)


def _print_ingest(documents: int, summary: dict[str, int], outcomes: list[IngestOutcome]) -> None:
    parts = ", ".join(f"{count} {status}" for status, count in summary.items())
    stdout.print(f"{documents} documents: {parts}", highlight=False)
    for outcome in outcomes:
        if outcome.status == "amended":
            stdout.print(f"  amended     {outcome.firm} {outcome.end_date}: {outcome.reason} (filing {outcome.filing_id})", highlight=False)
        elif outcome.status == "unreadable":
            stdout.print(f"  [red]unreadable[/]  {outcome.source}: {outcome.reason}", highlight=False)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def firms(db: str | None, as_json: bool) -> None:
    """List the firms in the store with their latest filing of record and flags."""
    with open_store(db) as store:
        summaries = store.firms()
    if as_json:
        emit_json([s.to_dict() for s in summaries])
        return
    table = Table("firm id", "name", "latest", "seg excess", "secured excess", "swaps excess", "flags")
    for s in summaries:
        excess = [s.statements[k].excess if k in s.statements else None for k in ("segregation", "secured", "swaps")]
        table.add_row(
            s.firm_id,
            s.name,
            str(s.latest_end_date or ""),
            *(format_amount(e) if e is not None else "" for e in excess),
            ", ".join(s.flags),
        )
    stdout.print(table)


def _versions_table(versions: list[FilingVersion]) -> Table:
    table = Table("id", "End Date", "status", "version", "record", "submitted", "name as filed", "form")
    for v in versions:
        table.add_row(
            str(v.id), str(v.end_date), v.status, str(v.version), "*" if v.is_record else "", str(v.submit_date or ""), v.firm_name, v.form
        )
    return table


@main.command(name="filings")
@click.argument("firm")
@period_options
@db_option
@click.option("--record-only", is_flag=True, help="Only the filing of record of each day.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def filings_command(firm: str, start: datetime | None, end: datetime | None, db: str | None, record_only: bool, as_json: bool) -> None:
    """List FIRM's filings (every version; * marks the filing of record). FIRM: a firm id or any name it filed under."""
    with open_store(db) as store:
        versions = store.filings(firm_id_or_exit(store, firm), day(start), day(end), record_only=record_only)
    if as_json:
        emit_json([v.to_dict() for v in versions])
    else:
        stdout.print(_versions_table(versions))


@main.command()
@click.argument("firm")
@click.option("--code", "codes", multiple=True, required=True, metavar="CODE", help="A code such as 7190 (repeat for more).")
@period_options
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def history(firm: str, codes: tuple[str, ...], start: datetime | None, end: datetime | None, db: str | None, fmt: str) -> None:
    """FIRM's values of CODEs on each day's filing of record (* marks a day whose record is an amendment)."""
    with open_store(db) as store:
        points = store.history(firm_id_or_exit(store, firm), codes, day(start), day(end))
    if fmt == "json":
        emit_json([p.to_dict() for p in points])
        return
    rows: dict[str, dict[str, str]] = {}
    for p in points:
        row = rows.setdefault(p.end_date.isoformat(), {"end_date": p.end_date.isoformat(), "amended": ""})
        row[p.code] = str(p.value)
        if p.amended:
            row["amended"] = "*"
    columns = ["end_date", *codes, "amended"]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows.values())
        click.echo(buffer.getvalue(), nl=False)
        return
    table = Table(*columns)
    for row in rows.values():
        table.add_row(*(format_amount(Decimal(row[c])) if c in codes and row.get(c) else row.get(c, "") for c in columns))
    stdout.print(table)


def _diff_pair(store: Store, arguments: tuple[str, ...]) -> tuple[int, int]:
    """The two filing ids that `diff` compares, from ID ID, FIRM DATE or FIRM DATE DATE."""
    if len(arguments) == 2 and all(a.isdigit() for a in arguments):
        return int(arguments[0]), int(arguments[1])
    if len(arguments) not in (2, 3):
        fail("diff takes two filing ids, FIRM DATE (its first version against its filing of record) or FIRM DATE DATE", UNREADABLE)
    firm = firm_id_or_exit(store, arguments[0])
    dates = [parse_day(a) for a in arguments[1:]]
    if len(dates) == 1:
        versions = store.versions(firm, dates[0])
        if not versions:
            fail(f"{firm} filed nothing for {dates[0]}", UNREADABLE)
        return versions[0].id, next(v.id for v in versions if v.is_record)
    ids = []
    for wanted in dates:
        records = [v for v in store.versions(firm, wanted) if v.is_record]
        if not records:
            fail(f"{firm} filed nothing for {wanted}", UNREADABLE)
        ids.append(records[-1].id)
    return ids[0], ids[1]


@main.command()
@click.argument("arguments", nargs=-1, required=True, metavar="A B | FIRM DATE [DATE]")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def diff(arguments: tuple[str, ...], db: str | None, as_json: bool) -> None:
    """Compare two filings line by line: two filing ids, FIRM and two End Dates (their filings of record), or
    FIRM and one End Date (its first version against its filing of record). Exit 1 when they differ."""
    with open_store(db) as store:
        first, second = _diff_pair(store, arguments)
        try:
            (a_version, a), (b_version, b) = store.get(first), store.get(second)
        except KeyError as error:
            fail(str(error.args[0]), UNREADABLE)
    changes, headers = diff_filings(a, b), header_changes(a, b)
    if as_json:
        emit_json(
            {
                "before": a_version.to_dict(),
                "after": b_version.to_dict(),
                "header": [{"field": f, "before": x, "after": y} for f, x, y in headers],
                "lines": [c.to_dict() for c in changes],
            }
        )
    else:
        _print_diff(a_version, a, b_version, b, headers, changes)
    sys.exit(FOUND_ERRORS if changes or headers else OK)


def _print_diff(
    a_version: FilingVersion, a: Filing, b_version: FilingVersion, b: Filing, headers: list[tuple[str, str, str]], changes: list[LineChange]
) -> None:
    stdout.print(f"--- filing {a_version.id}: {a.label} (version {a_version.version})", highlight=False)
    stdout.print(f"+++ filing {b_version.id}: {b.label} (version {b_version.version})", highlight=False)
    for name, old, new in headers:
        stdout.print(f"  {name}: {old} -> {new}", highlight=False)
    if not changes:
        stdout.print("no amount differs", highlight=False)
        return
    table = Table("statement", "line", "code", "label", "before", "after", "change")
    for c in changes:
        amounts = (format_amount(x) if x is not None else "" for x in (c.before, c.after, c.change))
        table.add_row(c.statement, c.line, c.code, c.label, *amounts)
    stdout.print(table)


@main.command()
@click.argument("name")
@click.argument("firm")
@db_option
def alias(name: str, firm: str, db: str | None) -> None:
    """Treat filings under NAME as filings of FIRM (a renamed firm, or a spelling the name rules miss)."""
    with open_store(db) as store:
        target = firm_id_or_exit(store, firm)
        store.alias(name, target)
    stdout.print(f"{name!r} now belongs to {target}", highlight=False)
