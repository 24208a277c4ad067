"""`dailyseg notice`: draft the notice an event requires, show and list notices, and record their sending.

`dailyseg notice FILING|BOOKS` is short for `dailyseg notice draft FILING|BOOKS`. Drafting and marking sent are
audited steps of a person (acting.py); the notices themselves live with their filing or their close in the store
(dailyseg.store.notices). A firm's own computation from its books is drafted before it files: kept with the
day's close when the store has one of the same figures, else written and kept nowhere, and it says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dailyseg.cli.acting import acting, as_option, refused
from dailyseg.cli.app import UNREADABLE, fail, format_option, main, output_option, read_or_exit, write_output
from dailyseg.cli.compute_commands import engine_options
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store
from dailyseg.compute.engines import EngineName
from dailyseg.notices.draft import FILING_EVENTS
from dailyseg.store.location import DEFAULT_DB_ENV

if TYPE_CHECKING:
    from dailyseg.checks import Context
    from dailyseg.filing import Filing
    from dailyseg.notices.draft import Draft
    from dailyseg.store import Store
    from dailyseg.store.notices import AnyNotice, Notice
    from dailyseg.store.people import Actor

EXIT_CODES = (
    "Exit codes: 0 done; 2 the store could not be opened, no such filing, close or notice, no such event in the filing, "
    "unreadable books, or a misused command; 4 refused (identity, role); 5 the notice was marked sent already, or the "
    "close was superseded."
)
DOCUMENT = ["text", "html", "pdf", "json"]
AT_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]


class DraftFirst(click.Group):
    """A group whose first word, when it names no subcommand, is the FILING or BOOKS of `draft`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["draft", *args]
        return super().parse_args(ctx, args)


@main.group(cls=DraftFirst, epilog=EXIT_CODES)
def notice() -> None:
    """Notices to the CFTC and the DSRO that events require: a deficiency (17 CFR 1.12(h)), funds below the target
    or the undermargined amount (1.12(j)), a withdrawal of more than 25% of residual interest (1.23(d), 30.7(g),
    22.17(c); drafted by `dailyseg withdrawal record`).

    `dailyseg notice FILING|BOOKS` is `dailyseg notice draft FILING|BOOKS`. A notice says DRAFT — NOT SENT until
    `dailyseg notice mark-sent` records when it was sent.
    """


def notice_json(n: AnyNotice) -> dict[str, Any]:
    """The notice's JSON, the API's (`GET /api/notices/{id}`) too."""
    from dailyseg.notices.shapes import NoticeOut

    return NoticeOut.of(n).model_dump(mode="json")


def write_notices(found: Sequence[AnyNotice], fmt: str, output: str | None) -> None:
    """The notices as one document in `fmt`, to `output` or standard output."""
    from dailyseg.notices import render

    if fmt == "json":
        emit_json([notice_json(n) for n in found])
    elif fmt == "pdf":
        if output is None:
            fail("a PDF is written to a file: add -o FILE.pdf", UNREADABLE)
        write_output(render.render_pdf(found), output)
    else:
        write_output(render.render_text(found) if fmt == "text" else render.render_html(found), output)


def _undermargined(given: Sequence[str]) -> dict[str, Decimal]:
    """`CLASS=AMOUNT` pairs: the undermargined total each class's residual interest must cover (17 CFR 1.22)."""
    from dailyseg.catalogue import CATALOGUE
    from dailyseg.notices.asked import undermargined_amount
    from dailyseg.store.workflow import Refused

    found: dict[str, Decimal] = {}
    for text in given:
        name, _, amount = text.partition("=")
        if name.strip() not in CATALOGUE.statement_by_id:
            fail(f"--undermargined {text!r}: the class is one of {', '.join(CATALOGUE.statement_by_id)}", UNREADABLE)
        try:
            found[name.strip()] = undermargined_amount(amount, f"--undermargined {name.strip()}")
        except Refused as problem:
            refused(problem)
    return found


@notice.command(name="draft", epilog=EXIT_CODES)
@click.argument("document", metavar="FILING|BOOKS", required=False)
@click.option("--filing-id", type=click.IntRange(min=1), help="A filing already in the store, by its id (instead of FILING).")
@click.option("--close-id", type=click.IntRange(min=1), help="A daily close in the store, by its id: its notices are kept with it.")
@click.option("--event", "events", multiple=True, type=click.Choice(FILING_EVENTS), help="Only the notice of this event (repeatable).")
@click.option(
    "--undermargined", multiple=True, metavar="CLASS=AMOUNT", help="The undermargined total of a class, e.g. segregation=1500000."
)
@engine_options
@as_option
@db_option
@format_option(DOCUMENT, "text")
@output_option()
def draft_command(
    document: str | None,
    filing_id: int | None,
    close_id: int | None,
    events: tuple[str, ...],
    undermargined: tuple[str, ...],
    engine: EngineName,
    as_user: str | None,
    db: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Draft the notices the events of a filing require (a preparer or signer), keep them with the filing, and
    write them. FILING is a document (stored first, as `ingest` would); or name a stored one with --filing-id,
    or a stored daily close with --close-id (the notices are kept with the close).

    BOOKS is a books folder, computed as `dailyseg compute` computes it (--engine): the notices of the firm's
    own computation, before it files. With a store (--db or $DAILYSEG_DB) they are kept with the day's close
    when the store has one of the same figures (`dailyseg close BOOKS` makes it); otherwise they are written,
    kept nowhere, and say NOT STORED.

    The figures are the statement's key lines; how the event originated and the steps taken are left blank for
    the firm to complete. Drafting again gives the notices already kept. No event needing a notice: nothing is
    drafted and the command says so.
    """
    from dailyseg.checks import Context

    if sum(x is not None for x in (document, filing_id, close_id)) != 1:
        fail("name what to draft from: a document FILING, a books folder BOOKS, --filing-id ID or --close-id ID (one of them)", UNREADABLE)
    context = Context(undermargined=_undermargined(undermargined))
    found: Sequence[AnyNotice]
    if document is not None and Path(document).is_dir():
        what, found = f"the books {document}", _from_books(document, events, context, engine, as_user, db)
    else:
        what, found = _from_store(document, filing_id, close_id, events, context, as_user, db)
    if not found:
        say(f"{what}: no event that requires a notice ({', '.join(FILING_EVENTS)})", err=True)
        if fmt == "json":
            emit_json([])
        return
    write_notices(found, fmt, output)


def _from_store(
    document: str | None,
    filing_id: int | None,
    close_id: int | None,
    kinds: Sequence[str],
    context: Context,
    as_user: str | None,
    db: str | None,
) -> tuple[str, list[Notice]]:
    """The notices kept with a filing (the document's, stored first, or `filing_id`) or with close `close_id`,
    and what they are of."""
    from dailyseg.store.notices import draft_for_close, draft_for_filing
    from dailyseg.store.workflow import Refused

    with open_store(db, create=document is not None) as store:
        actor = acting(store, as_user)
        if document is not None:
            result = read_or_exit(document)
            if len(result.filings) != 1:
                fail(f"{result.source}: holds {len(result.filings)} filings; name one stored filing with --filing-id", UNREADABLE)
            filing_id = store.ingest_filing(result.filing, source=result.source, actor=actor.name).filing_id
        try:
            if close_id is not None:
                return f"close {close_id}", draft_for_close(store, actor, close_id, kinds=kinds, context=context)
            if filing_id is None:
                fail(f"{document}: the filing could not be stored", UNREADABLE)
            return f"filing {filing_id}", draft_for_filing(store, actor, filing_id, kinds=kinds, context=context)
        except Refused as problem:
            refused(problem)


def _from_books(
    books: str, kinds: Sequence[str], context: Context, engine: EngineName, as_user: str | None, db: str | None
) -> Sequence[AnyNotice]:
    """The notices of the filing computed from `books`: kept with the day's close of the same figures when the
    store has one, else kept nowhere (and standard error says why)."""
    from dailyseg.cli.compute_commands import computed
    from dailyseg.store.identity import firm_id_of, name_key
    from dailyseg.store.notices import unstored

    filing = computed(books, engine).filing
    if db is None:
        say(f"the books' notices are not stored: no store is named (--db or ${DEFAULT_DB_ENV})", err=True)
        return unstored(_drafts(filing, books, kinds, context, firm_id_of(name_key(filing.header.firm_name)), None))
    with open_store(db) as store:
        actor = acting(store, as_user)
        kept = _kept_with_close(store, filing, books, kinds, context, actor)
        if kept is not None:
            return kept
        firm_id = store.resolve(filing.header.firm_name) or firm_id_of(name_key(filing.header.firm_name))
        return unstored(_drafts(filing, books, kinds, context, firm_id, store))


def _kept_with_close(store: Store, filing: Filing, books: str, kinds: Sequence[str], context: Context, actor: Actor) -> list[Notice] | None:
    """The notices kept with the close of the computed day, when it holds the same figures; else None, and
    standard error says why they are not stored."""
    from dailyseg.store.notices import close_of_day, draft_for_close
    from dailyseg.store.workflow import Refused, close_filing

    header = filing.header
    day = f"{header.firm_name} {header.end_date}"
    close = close_of_day(store, filing)
    if close is None:
        say(f"no close of {day} in the store: the notices are not stored (`dailyseg close {books}` makes the day's draft)", err=True)
        return None
    if close_filing(store, close.id).amounts != filing.amounts:
        say(
            f"close {close.id} of {day} holds other figures than the books compute: the notices are not stored "
            f"(`dailyseg close {books}` makes a new draft of the day)",
            err=True,
        )
        return None
    try:
        return draft_for_close(store, actor, close.id, kinds=kinds, context=context)
    except Refused as problem:
        refused(problem)


def _drafts(filing: Filing, books: str, kinds: Sequence[str], context: Context, firm_id: str, store: Store | None) -> list[Draft]:
    """The drafts of the computed filing's events, with the firm's DSRO when the store knows it."""
    from dailyseg.store.notices import drafts_of, dsro_of
    from dailyseg.store.workflow import Refused

    dsro = None
    if store is not None:
        with store.engine.connect() as conn:
            dsro = dsro_of(conn, firm_id)
    try:
        return drafts_of(filing, kinds=kinds, context=context, firm_id=firm_id, what=f"the books {books}", dsro=dsro)
    except Refused as problem:
        refused(problem)


@notice.command(name="show", epilog=EXIT_CODES)
@click.argument("notice_id", metavar="ID", type=click.IntRange(min=1))
@db_option
@format_option(DOCUMENT, "text")
@output_option()
def show_command(notice_id: int, db: str | None, fmt: str, output: str | None) -> None:
    """Write stored notice ID as text, HTML, PDF or JSON, with its status (DRAFT — NOT SENT, or when it was sent)."""
    from dailyseg.store.notices import get_notice
    from dailyseg.store.workflow import Refused

    with open_store(db) as store:
        try:
            found = get_notice(store, notice_id)
        except Refused as problem:
            refused(problem)
    write_notices([found], fmt, output)


@notice.command(name="list", epilog="Exit codes: 0 listed; 2 the store could not be opened, or no such firm.")
@click.argument("firm", required=False)
@click.option("--filing-id", type=click.IntRange(min=1), help="Only the notices of this stored filing.")
@click.option("--close-id", type=click.IntRange(min=1), help="Only the notices of this daily close.")
@db_option
@format_option(["table", "csv", "json"], "table")
def list_command(firm: str | None, filing_id: int | None, close_id: int | None, db: str | None, fmt: str) -> None:
    """List the notices (of FIRM): kind, class, End Date, what they belong to (a filing, a close, a withdrawal),
    and whether and when they were sent."""
    from dailyseg.store.notices import list_notices

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = list_notices(store, firm_id=firm_id, filing_id=filing_id, close_id=close_id)
    if fmt == "json":
        emit_json([notice_json(n) for n in found])
        return
    listing = Listing(
        [
            Column("id", "id", "number"),
            Column("end_date", "End Date", "date"),
            Column("firm_id", "firm", "id"),
            Column("kind", "event", "id"),
            Column("statement", "class", "id"),
            Column("of", "of", "id"),
            Column("status", "status", "id"),
            Column("sent_at", "sent", "id"),
        ]
    )
    for n in found:
        sent = n.sent_at.isoformat(timespec="minutes") if n.sent_at else ""
        listing.add(str(n.id), n.draft.end_date, n.draft.firm_id, n.draft.kind, n.draft.statement, n.of, n.status, sent)
    show(listing, fmt)


@notice.command(name="mark-sent", epilog=EXIT_CODES)
@click.argument("notice_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--at", "at", type=click.DateTime(AT_FORMATS), help="When it was sent (default now), e.g. 2024-03-05T11:40-05:00.")
@click.option("--reference", metavar="REF", help="How it was sent or the recipient's reference (kept in the log).")
@as_option
@db_option
@format_option(["text", "json"], "text")
def mark_sent_command(notice_id: int, at: datetime | None, reference: str | None, as_user: str | None, db: str | None, fmt: str) -> None:
    """Record that notice ID was sent to its addressees, at --at (a preparer or signer; once; audited)."""
    from dailyseg.notices.render import status
    from dailyseg.store.notices import mark_sent
    from dailyseg.store.workflow import Refused

    if at is not None and at.tzinfo is None:
        fail("--at needs its zone, e.g. 2024-03-05T11:40-05:00", UNREADABLE)
    with open_store(db) as store:
        actor = acting(store, as_user)
        try:
            done = mark_sent(store, actor, notice_id, at=at, reference=reference)
        except Refused as problem:
            refused(problem)
    if fmt == "json":
        emit_json(notice_json(done))
    else:
        say(f"notice {done.id}: {status(done)}")
