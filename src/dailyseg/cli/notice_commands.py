"""`dailyseg notice`: draft the notice an event requires, show and list notices, and record their sending.

`dailyseg notice FILING` is short for `dailyseg notice draft FILING`. Drafting and marking sent are audited
steps of a person (acting.py); the notices themselves live with their filing in the store (dailyseg.notices).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from dailyseg.cli.acting import acting, as_option, refused
from dailyseg.cli.app import UNREADABLE, fail, format_option, main, output_option, read_or_exit, write_output
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store
from dailyseg.notices.draft import FILING_EVENTS

if TYPE_CHECKING:
    from dailyseg.store.notices import Notice

EXIT_CODES = (
    "Exit codes: 0 done; 2 the store could not be opened, no such filing or notice, no such event in the filing, "
    "or a misused command; 4 refused (identity, role); 5 the notice was marked sent already."
)
DOCUMENT = ["text", "html", "pdf", "json"]
AT_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]


class DraftFirst(click.Group):
    """A group whose first word, when it names no subcommand, is the FILING of `draft`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["draft", *args]
        return super().parse_args(ctx, args)


@main.group(cls=DraftFirst, epilog=EXIT_CODES)
def notice() -> None:
    """Notices to the CFTC and the DSRO that events require: a deficiency (17 CFR 1.12(h)), funds below the target
    or the undermargined amount (1.12(j)), a withdrawal of more than 25% of residual interest (1.23(d), 30.7(g),
    22.17(c); drafted by `dailyseg withdrawal record`).

    `dailyseg notice FILING` is `dailyseg notice draft FILING`. A notice says DRAFT — NOT SENT until
    `dailyseg notice mark-sent` records when it was sent.
    """


def notice_json(n: Notice) -> dict[str, Any]:
    """The notice's JSON, the API's (`GET /api/notices/{id}`) too."""
    from dailyseg.notices.shapes import NoticeOut

    return NoticeOut.of(n).model_dump(mode="json")


def write_notices(found: Sequence[Notice], fmt: str, output: str | None) -> None:
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
@click.argument("document", metavar="FILING", required=False)
@click.option("--filing-id", type=click.IntRange(min=1), help="A filing already in the store, by its id (instead of FILING).")
@click.option("--event", "events", multiple=True, type=click.Choice(FILING_EVENTS), help="Only the notice of this event (repeatable).")
@click.option(
    "--undermargined", multiple=True, metavar="CLASS=AMOUNT", help="The undermargined total of a class, e.g. segregation=1500000."
)
@as_option
@db_option
@format_option(DOCUMENT, "text")
@output_option()
def draft_command(
    document: str | None,
    filing_id: int | None,
    events: tuple[str, ...],
    undermargined: tuple[str, ...],
    as_user: str | None,
    db: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Draft the notices the events of a filing require (a preparer or signer), keep them with the filing, and
    write them. FILING is a document (stored first, as `ingest` would); or name a stored one with --filing-id.

    The figures are the statement's key lines; how the event originated and the steps taken are left blank for
    the firm to complete. Drafting again gives the notices already kept. No event needing a notice: nothing is
    drafted and the command says so.
    """
    from dailyseg.checks import Context
    from dailyseg.store.notices import draft_for_filing
    from dailyseg.store.workflow import Refused

    if (document is None) == (filing_id is None):
        fail("name the filing: a document FILING, or --filing-id ID (one of them)", UNREADABLE)
    context = Context(undermargined=_undermargined(undermargined))
    with open_store(db, create=document is not None) as store:
        actor = acting(store, as_user)
        if document is not None:
            result = read_or_exit(document)
            if len(result.filings) != 1:
                fail(f"{result.source}: holds {len(result.filings)} filings; name one stored filing with --filing-id", UNREADABLE)
            filing_id = store.ingest_filing(result.filing, source=result.source, actor=actor.name).filing_id
        if filing_id is None:
            fail(f"{document}: the filing could not be stored", UNREADABLE)
        try:
            found = draft_for_filing(store, actor, filing_id, kinds=events, context=context)
        except Refused as problem:
            refused(problem)
    if not found:
        say(f"filing {filing_id}: no event that requires a notice ({', '.join(FILING_EVENTS)})", err=True)
        if fmt == "json":
            emit_json([])
        return
    write_notices(found, fmt, output)


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
@db_option
@format_option(["table", "csv", "json"], "table")
def list_command(firm: str | None, filing_id: int | None, db: str | None, fmt: str) -> None:
    """List the notices (of FIRM): kind, class, End Date, what they belong to, and whether and when they were sent."""
    from dailyseg.store.notices import list_notices

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = list_notices(store, firm_id=firm_id, filing_id=filing_id)
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
        of = f"filing {n.filing_id}" if n.filing_id is not None else f"withdrawal {n.withdrawal_id}"
        sent = n.sent_at.isoformat(timespec="minutes") if n.sent_at else ""
        listing.add(str(n.id), n.draft.end_date, n.draft.firm_id, n.draft.kind, n.draft.statement, of, n.status, sent)
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
