"""The daily close on the command line: close (make a draft), review, approve, file, amend, and closes (list).

Who acts is said once for all of them (acting.py). Each step is one audited transaction in the store
(dailyseg.store.workflow); these commands only read the input, say who acts and report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dailyseg.cli.acting import ACTING_EXIT_CODES, acting, as_option, refused
from dailyseg.cli.app import UNREADABLE, fail, format_option, main, period_options, read_or_exit
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store
from dailyseg.compute.engines import ENGINES, EngineName

if TYPE_CHECKING:
    from dailyseg.filing import Filing
    from dailyseg.store import Store
    from dailyseg.store.people import Actor
    from dailyseg.store.workflow import Close

REPORT = ["text", "json"]


def _draft_input(path: str, engine: EngineName) -> tuple[Filing, list[str]]:
    """The filing to draft and its error findings: computed from a books folder, or read from a document."""
    if Path(path).is_dir():
        from dailyseg.compute import BooksError, compute, read_books

        try:
            computation = compute(read_books(path), engine)
        except BooksError as problem:
            fail(str(problem), UNREADABLE)
        found, filing = computation.findings, computation.filing
    else:
        from dailyseg.checks import validate

        result = read_or_exit(path)
        if len(result.filings) != 1:
            fail(f"{result.source}: holds {len(result.filings)} filings; a draft is one filing", UNREADABLE)
        filing = result.filing
        found = tuple(validate(filing))
    return filing, [f"{f.rule}: {f.message}" for f in found if f.severity == "error"]


def _json(shown: Close | list[Close]) -> None:
    """A close, or a listing, in the shape `/api/closes` answers with (dailyseg.close_shapes)."""
    from dailyseg.close_shapes import CloseOut
    from dailyseg.shapes import dump

    emit_json(dump([CloseOut.of(c) for c in shown] if isinstance(shown, list) else CloseOut.of(shown)))


def _report(c: Close, fmt: str) -> None:
    if fmt == "json":
        _json(c)
        return
    due = c.due_at.strftime("%Y-%m-%d %H:%M %Z")
    late = " LATE" if c.late else ""
    say(f"close {c.id}: {c.firm_name} {c.end_date.isoformat()} {c.status} is {c.state}; due {due}{late}")
    for problem in c.errors:
        say(("error", "red"), f"  {problem}", err=True)


def _take_step(step: Callable[[Store, Actor], Close], as_user: str | None, db: str | None, fmt: str, create: bool = False) -> None:
    """One step of the close as the acting user, in the store: a refusal exits with its code, else the close is reported."""
    from dailyseg.store.workflow import Refused

    with open_store(db, create=create) as store:
        actor = acting(store, as_user)
        try:
            done = step(store, actor)
        except Refused as problem:
            refused(problem)
    _report(done, fmt)


def _draft(books: str, engine: EngineName, reason: str | None, as_user: str | None, db: str | None, fmt: str) -> None:
    from dailyseg.store.workflow import draft

    filing, errors = _draft_input(books, engine)

    def make(store: Store, actor: Actor) -> Close:
        return draft(store, actor, filing, source=books, errors=errors, amend_reason=reason)

    _take_step(make, as_user, db, fmt, create=True)


engine_option = click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True, help="Where books are computed.")


@main.command(name="close", epilog=ACTING_EXIT_CODES)
@click.argument("books")
@engine_option
@as_option
@db_option
@format_option(REPORT, "text")
def close_command(books: str, engine: EngineName, as_user: str | None, db: str | None, fmt: str) -> None:
    """Make today's draft (preparer): computed from the BOOKS folder, or a filing document the firm files as is.

    Its error findings are recorded for the signer. Earlier drafts of the day not yet filed are superseded;
    a day already filed is changed only with `dailyseg amend`.
    """
    _draft(books, engine, None, as_user, db, fmt)


@main.command(epilog=ACTING_EXIT_CODES)
@click.argument("books")
@click.option("--reason", required=True, help="Why the filed filing is amended (kept in the log).")
@engine_option
@as_option
@db_option
@format_option(REPORT, "text")
def amend(books: str, reason: str, engine: EngineName, as_user: str | None, db: str | None, fmt: str) -> None:
    """Make an AMENDED draft of a filed day (preparer) from BOOKS or a document, with a reason; it goes
    through review, approval and filing again."""
    _draft(books, engine, reason, as_user, db, fmt)


def _comments(given: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """`CODE=TEXT` comments on a line, or plain TEXT on the whole filing."""
    found: list[tuple[str | None, str]] = []
    for text in given:
        code, sep, rest = text.partition("=")
        if sep and code.strip().isdigit() and rest.strip():
            found.append((code.strip(), rest.strip()))
        elif text.strip():
            found.append((None, text.strip()))
        else:
            fail("an empty comment", UNREADABLE)
    return found


@main.command(epilog=ACTING_EXIT_CODES)
@click.argument("close_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--comment", "comments", multiple=True, metavar="[CODE=]TEXT", help="A comment, on line CODE when given (repeatable).")
@as_option
@db_option
@format_option(REPORT, "text")
def review(close_id: int, comments: tuple[str, ...], as_user: str | None, db: str | None, fmt: str) -> None:
    """Mark draft ID reviewed (a preparer other than the one who made it), with comments on its lines."""
    from dailyseg.store.workflow import review as review_close

    said = _comments(comments)
    _take_step(lambda store, actor: review_close(store, actor, close_id, said), as_user, db, fmt)


@main.command(epilog=ACTING_EXIT_CODES)
@click.argument("close_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--override", metavar="REASON", help="Approve although the draft has error findings, for this written reason.")
@as_option
@db_option
@format_option(REPORT, "text")
def approve(close_id: int, override: str | None, as_user: str | None, db: str | None, fmt: str) -> None:
    """Approve reviewed close ID (a signer who did not make it). Error findings block it without --override."""
    from dailyseg.store.workflow import approve as approve_close

    _take_step(lambda store, actor: approve_close(store, actor, close_id, override), as_user, db, fmt)


@main.command(name="file", epilog=ACTING_EXIT_CODES)
@click.argument("close_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--reference", metavar="REF", help="The filing system's reference for the submission.")
@click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    help="When it was submitted (default now), e.g. 2024-03-05T11:40-05:00.",
)
@as_option
@db_option
@format_option(REPORT, "text")
def file_command(close_id: int, reference: str | None, at: datetime | None, as_user: str | None, db: str | None, fmt: str) -> None:
    """Mark approved close ID as submitted to the CFTC and the DSRO (a preparer or signer), late or not."""
    from dailyseg.store.workflow import file as file_close

    _take_step(lambda store, actor: file_close(store, actor, close_id, at=at, reference=reference), as_user, db, fmt)


@main.command(epilog="Exit codes: 0 listed; 2 the store could not be opened, or no such firm.")
@click.argument("firm", required=False)
@period_options
@db_option
@format_option(["table", "csv", "json"], "table")
def closes(firm: str | None, start: date | None, end: date | None, db: str | None, fmt: str) -> None:
    """List the daily closes (of FIRM): state, who made, reviewed, approved and filed each, its due time and
    whether it was late (noon America/New_York of the next business day)."""
    from dailyseg.store.workflow import list_closes

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = list_closes(store, firm_id, start, end)
    if fmt == "json":
        _json(found)
        return
    listing = Listing(
        [
            Column("id", "id", "number"),
            Column("end_date", "End Date", "date"),
            Column("firm_id", "firm", "id"),
            Column("status", "status", "id"),
            Column("state", "state", "id"),
            Column("prepared_by", "prepared", "id"),
            Column("reviewed_by", "reviewed", "id"),
            Column("approved_by", "approved", "id"),
            Column("filed_at", "filed", "id"),
            Column("due_at", "due", "id"),
            Column("late", "late", "mark"),
            Column("errors", "errors", "number"),
        ]
    )
    for c in found:
        filed = c.filed_at.isoformat(timespec="minutes") if c.filed_at else ""
        due = c.due_at.isoformat(timespec="minutes")
        listing.add(
            str(c.id),
            c.end_date,
            c.firm_id,
            c.status,
            c.state,
            c.prepared_by,
            c.reviewed_by,
            c.approved_by,
            filed,
            due,
            "late" if c.late else "",
            len(c.errors),
        )
    show(listing, fmt)
