"""Commands over the history store: ingest, firms, filings, history, diff, alias."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

import click

from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, fail, format_option, main, period_options
from dailyseg.cli.output import Column, Listing, emit_json, progress, say, show
from dailyseg.cli.store_options import as_of_option, db_option, firm_id_or_exit, open_store, parse_day

if TYPE_CHECKING:
    from decimal import Decimal

    from dailyseg.filing import Filing
    from dailyseg.store import FilingVersion, IngestOutcome, Store
    from dailyseg.store.diff import LineChange

PROGRESS_FROM = 20  # documents; smaller batches finish before a bar would help
BATCH = 500  # filings per transaction: past a few hundred, larger batches gain little and hold more in memory
LISTING = ["table", "csv", "json"]


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
@format_option(
    ["text", "json"],
    "text",
    help="text: the summary, then a line per amendment, per version that arrived after a later one, and per unreadable document.",
)
def ingest(paths: tuple[str, ...], db: str | None, batch: int, fmt: str) -> None:
    """Store every filing in PATHS (files, folders, glob patterns; text, HTML, PDF, JSON, CSV).

    Documents are written in batches, one transaction each; a document is stored whole or not at all, even
    if the ingest is stopped, and the same filing twice is stored once. Unreadable files are reported and
    never stop the batch. An original that arrives after its amendment is "stored", and said to be late:
    the amendment stays the filing of record.

    \b
    Exit codes: 0 every document read; 1 some unreadable; 2 the store could not be opened, or failed part-way
    (full, read-only, the server gone: the message says how many documents were stored).
    """
    from dailyseg.store.sources import expand

    documents = list(expand(paths))
    bar = fmt != "json" and len(documents) >= PROGRESS_FROM
    with open_store(db, create=True) as store, progress("ingest", len(documents), unit="documents", enabled=bar) as advance:
        outcomes = store.ingest_paths(documents, batch=batch, on_document=lambda _: advance(1))
    counts = Counter(o.status for o in outcomes)
    summary = {status: counts.get(status, 0) for status in ("stored", "already-present", "amended", "unreadable")}
    if fmt == "json":
        from dailyseg.shapes import IngestReport, dump

        emit_json(dump(IngestReport.of(len(documents), summary, outcomes)))
    else:
        _print_ingest(len(documents), summary, outcomes)
    sys.exit(FOUND_ERRORS if summary["unreadable"] else OK)


def _print_ingest(documents: int, summary: dict[str, int], outcomes: list[IngestOutcome]) -> None:
    say(f"{documents} documents: " + ", ".join(f"{count} {status}" for status, count in summary.items()))
    for outcome in outcomes:
        if outcome.status == "amended" or (outcome.status == "stored" and outcome.reason):
            say(f"  {outcome.status:<12}", f"{outcome.firm} {outcome.end_date}: {outcome.reason} (filing {outcome.filing_id})")
        elif outcome.status == "unreadable":
            say("  ", ("unreadable", "red"), "  ", f"{outcome.source}: {outcome.reason}")


@main.command()
@as_of_option
@db_option
@format_option(LISTING, "table")
def firms(as_of: date | None, db: str | None, fmt: str) -> None:
    """List the firms in the store, worst first: each firm's status (the rule ids of what the monitor finds about it
    now: events such as a deficiency or a firm that stopped filing, then errors in its latest filing) and, per
    statement of its latest filing of record, the excess, the excess as a percentage of the requirement and the
    excess over (or under) the target. Status is judged as of the latest End Date in the store, or --as-of.

    \b
    Exit codes: 0 listed; 2 the store could not be opened or read.
    """
    from dailyseg.catalogue import CATALOGUE
    from dailyseg.watch.status import firm_statuses

    with open_store(db) as store:
        statuses = firm_statuses(store, as_of)
    if fmt == "json":
        from dailyseg.shapes import FirmOut, dump

        emit_json(dump([FirmOut.of(s) for s in statuses]))
        return
    columns = [Column("firm_id", "firm id", "id"), Column("name", "name"), Column("latest_end_date", "latest", "date")]
    columns.append(Column("status", "status", "id"))
    for statement in CATALOGUE.statements:
        columns += [
            Column(f"{statement.id}_excess", f"{statement.short} excess", "amount"),
            Column(f"{statement.id}_excess_percent", f"{statement.short} %", "number"),
            Column(f"{statement.id}_over_target", f"{statement.short} vs target", "amount"),
        ]
    listing = Listing(columns)
    for s in statuses:
        figures: list[Decimal | None] = []
        for statement in CATALOGUE.statements:
            held = s.statements.get(statement.id)
            place = held.standing if held is not None else None
            figures += [place.excess, place.excess_percent, place.over_target] if place is not None else [None, None, None]
        status = ",".join(s.status) if fmt == "csv" else ", ".join(s.status) or "ok"
        listing.add(s.firm_id, s.name, s.latest_end_date, status, *figures)
    show(listing, fmt)


def _versions(versions: list[FilingVersion]) -> Listing:
    listing = Listing(
        [
            Column("id", "id", "number"),
            Column("end_date", "End Date", "date"),
            Column("status", "status", "id"),
            Column("version", "version", "number"),
            Column("is_record", "record", "mark"),
            Column("submit_date", "submitted", "date"),
            Column("firm_name", "name as filed"),
            Column("form", "form", "id"),
        ]
    )
    for v in versions:
        listing.add(str(v.id), v.end_date, v.status, str(v.version), "*" if v.is_record else "", v.submit_date, v.firm_name, v.form)
    return listing


@main.command(name="filings")
@click.argument("firm")
@period_options
@db_option
@click.option("--record-only", is_flag=True, help="Only the filing of record of each day.")
@format_option(LISTING, "table")
def filings_command(firm: str, start: date | None, end: date | None, db: str | None, record_only: bool, fmt: str) -> None:
    """List FIRM's filings (every version; * marks the filing of record). FIRM: a firm id or any name it filed under.

    \b
    Exit codes: 0 listed; 2 no such firm, or the store could not be opened or read.
    """
    with open_store(db) as store:
        versions = store.filings(firm_id_or_exit(store, firm), start, end, record_only=record_only)
    if fmt == "json":
        from dailyseg.shapes import VersionOut, dump

        emit_json(dump([VersionOut.of(v) for v in versions]))
    else:
        show(_versions(versions), fmt)


@main.command()
@click.argument("firm")
@click.option("--code", "codes", multiple=True, required=True, metavar="CODE", help="A code such as 7190 (repeat for more).")
@period_options
@db_option
@format_option(LISTING, "table")
def history(firm: str, codes: tuple[str, ...], start: date | None, end: date | None, db: str | None, fmt: str) -> None:
    """FIRM's values of CODEs on each day's filing of record (* marks a day whose record is an amendment).

    \b
    Exit codes: 0 listed; 2 no such firm, or the store could not be opened or read.
    """
    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm)
        points = store.history(firm_id, codes, start, end)
    if fmt == "json":
        from dailyseg.catalogue import key_of
        from dailyseg.shapes import HistoryOut, dump

        emit_json(dump(HistoryOut.of(firm_id, [key_of(c) for c in codes], points)))
        return
    rows: dict[date, dict[str, Decimal | str]] = {}
    for p in points:
        row = rows.setdefault(p.end_date, {"amended": ""})
        row[p.code] = p.value
        if p.amended:
            row["amended"] = "*"
    listing = Listing(
        [Column("end_date", "end_date", "date"), *(Column(c, c, "amount") for c in codes), Column("amended", "amended", "mark")]
    )
    for day, row in rows.items():
        listing.add(day, *(row.get(c) for c in codes), row["amended"])
    show(listing, fmt)


def _diff_pair(store: Store, arguments: tuple[str, ...]) -> tuple[int, int]:
    """The two filing ids that `diff` compares, from ID ID, FIRM DATE or FIRM DATE DATE.

    FIRM DATE compares the filing of record with the version it replaced: the one before it in the order
    of the day's versions (dailyseg.store.versions), not the one that reached the store before it.
    """
    from dailyseg.store.versions import rank

    if len(arguments) == 2 and all(a.isdigit() for a in arguments):
        return int(arguments[0]), int(arguments[1])
    if len(arguments) not in (2, 3):
        fail("diff takes two filing ids, FIRM DATE (its filing of record against the version before it) or FIRM DATE DATE", UNREADABLE)
    firm = firm_id_or_exit(store, arguments[0])
    dates = [parse_day(a) for a in arguments[1:]]
    records = []
    for wanted in dates:
        found = [v for v in store.versions(firm, wanted) if v.is_record]
        if not found:
            fail(f"{firm} filed nothing for {wanted}", UNREADABLE)
        records.append(max(found, key=rank))
    if len(records) == 2:
        return records[0].id, records[1].id
    record = records[0]
    day = store.day_versions(firm, record.end_date, record.end_date)[(record.end_date, record.form)]
    if len(day) == 1:
        fail(f"{firm} has one version for {record.end_date} (filing {record.id}): there is no earlier version to compare", UNREADABLE)
    return day[-2].id, record.id


@main.command()
@click.argument("arguments", nargs=-1, required=True, metavar="A B | FIRM DATE [DATE]")
@db_option
@format_option(LISTING, "table", help="table: the two filings, header changes and a table of changed lines; csv: the changed lines.")
def diff(arguments: tuple[str, ...], db: str | None, fmt: str) -> None:
    """Compare two filings line by line: two filing ids, FIRM and two End Dates (their filings of record), or
    FIRM and one End Date (its filing of record against the version before it: INITIAL before AMENDED,
    then by Submit Date, whatever order they arrived in).

    \b
    Exit codes: 0 the same; 1 they differ; 2 no such filing or firm, the day has only one version, or the
    store could not be opened or read.
    """
    from dailyseg.store.diff import diff_filings, header_changes

    with open_store(db) as store:
        first, second = _diff_pair(store, arguments)
        try:
            (a_version, a), (b_version, b) = store.get(first), store.get(second)
        except KeyError as problem:
            fail(str(problem.args[0]), UNREADABLE)
    changes, headers = diff_filings(a, b), header_changes(a, b)
    if fmt == "json":
        from dailyseg.shapes import DiffReport, dump

        emit_json(dump(DiffReport.of(a_version, b_version, headers, changes)))
    elif fmt == "csv":
        show(_changes(changes), "csv")
    else:
        _print_diff(a_version, a, b_version, b, headers, changes)
    sys.exit(FOUND_ERRORS if changes or headers else OK)


def _changes(changes: list[LineChange]) -> Listing:
    listing = Listing(
        [
            Column("statement", "statement", "id"),
            Column("line", "line", "id"),
            Column("code", "code", "id"),
            Column("label", "label"),
            Column("before", "before", "amount"),
            Column("after", "after", "amount"),
            Column("change", "change", "amount"),
        ]
    )
    for c in changes:
        listing.add(c.statement, c.line, c.code, c.label, c.before, c.after, c.change)
    return listing


def _print_diff(
    a_version: FilingVersion, a: Filing, b_version: FilingVersion, b: Filing, headers: list[tuple[str, str, str]], changes: list[LineChange]
) -> None:
    say(f"--- filing {a_version.id}: {a.label} (version {a_version.version})")
    say(f"+++ filing {b_version.id}: {b.label} (version {b_version.version})")
    for name, old, new in headers:
        say(f"  {name}: {old} -> {new}")
    if not changes:
        say("no amount differs")
        return
    show(_changes(changes))


@main.command()
@click.argument("name")
@click.argument("firm")
@db_option
def alias(name: str, firm: str, db: str | None) -> None:
    """Treat filings under NAME as filings of FIRM (a renamed firm, or a spelling the name rules miss).

    \b
    Exit codes: 0 done; 2 no such firm, or the store could not be opened or written (nothing changed).
    """
    with open_store(db) as store:
        target = firm_id_or_exit(store, firm)
        store.alias(name, target)
    say(f"{name!r} now belongs to {target}")
