"""`dailyseg audit`: check the audit log's chain and the filings it vouches for, and show the log."""

from __future__ import annotations

import sys
from datetime import date

import click

from dailyseg.cli.app import FOUND_ERRORS, OK, format_option, main, period_options
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store


@main.group(epilog="Exit codes: 0 fine; 1 the log or a filing was tampered with (verify); 2 the store could not be opened.")
def audit() -> None:
    """The tamper-evident audit log: every ingest, draft, review, approval, filing, amendment and change to
    users, chained by SHA-256 (docs/audit.md).

    \b
    Exit codes: 0 fine; 1 the log or a filing was tampered with (verify); 2 the store could not be opened.
    """


@audit.command(epilog="Exit codes: 0 the chain holds and every filing matches; 1 tampering found; 2 the store could not be opened.")
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="HASH",
    help="A head printed by an earlier verify and kept elsewhere: it must still be in the chain.",
)
@db_option
@format_option(["text", "json"], "text")
def verify(heads: tuple[str, ...], db: str | None, fmt: str) -> None:
    """Walk the chain and name the first entry changed, deleted, inserted or moved, and every stored filing
    whose amounts (or a close whose state or people) no longer match what its events recorded. Keep the head
    it prints outside the database and pass it back with --head: a rewritten chain no longer holds it."""
    from dailyseg.store.audit import verify as verify_log

    with open_store(db) as store:
        found = verify_log(store, heads)
    if fmt == "json":
        broken = None if found.broken is None else {"seq": found.broken.seq, "kind": found.broken.kind, "message": found.broken.message}
        mismatches = [{"subject": m.subject, "recorded": m.recorded, "found": m.found, "message": m.message} for m in found.mismatches]
        emit_json({"ok": found.ok, "entries": found.entries, "head": found.head, "broken": broken, "mismatches": mismatches})
    else:
        if found.broken is not None:
            say(("broken", "red"), f": {found.broken.message}")
        for mismatch in found.mismatches:
            say(("changed", "red"), f": {mismatch.message}")
        if found.ok:
            say(f"ok: {found.entries} entries, head {found.head}")
    sys.exit(OK if found.ok else FOUND_ERRORS)


@audit.command(name="log", epilog="Exit codes: 0 listed; 2 the store could not be opened.")
@click.option("--firm", help="Only events about this firm (id or any name it filed under).")
@click.option("--user", "actor", metavar="NAME", help="Only events by this user.")
@period_options
@db_option
@format_option(["table", "csv", "json"], "table")
def log(firm: str | None, actor: str | None, start: date | None, end: date | None, db: str | None, fmt: str) -> None:
    """Show the log in order. --from and --to here are the days the events happened (UTC), not End Dates."""
    from dailyseg.store.audit import entries

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = entries(store, firm_id=firm_id, start=start, end=end, actor=actor)
    if fmt == "json":
        emit_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "firm_id": e.firm_id,
                    "end_date": e.end_date.isoformat() if e.end_date else None,
                    "subject": e.subject,
                    "content_hash": e.content_hash,
                    "detail": e.detail,
                    "entry_hash": e.entry_hash,
                }
                for e in found
            ]
        )
        return
    listing = Listing(
        [
            Column("seq", "#", "number"),
            Column("at", "at (UTC)", "id"),
            Column("actor", "who", "id"),
            Column("action", "did", "id"),
            Column("subject", "what", "id"),
            Column("firm_id", "firm", "id"),
            Column("end_date", "End Date", "date"),
            Column("content_hash", "content", "id"),
            Column("note", "note"),
        ]
    )
    for e in found:
        note = "; ".join(f"{k}={v}" for k, v in sorted(e.detail.items()) if k in ("reason", "override", "reference", "roles", "via") and v)
        listing.add(
            str(e.seq),
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            e.subject,
            e.firm_id,
            e.end_date,
            (e.content_hash or "")[:12],
            note,
        )
    show(listing, fmt)
