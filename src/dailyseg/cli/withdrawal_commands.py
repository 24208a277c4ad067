"""`dailyseg withdrawal`: the ledger of withdrawals of residual interest: record, approve, execute, cancel, list.

Each step is an audited transaction of a person (acting.py; dailyseg.store.withdrawals); these commands read
the options, say who acts and report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from dailyseg.cli.acting import acting, as_option, refused
from dailyseg.cli.app import UNREADABLE, fail, format_option, main, period_options
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store

if TYPE_CHECKING:
    from dailyseg.store.withdrawals import Withdrawal

EXIT_CODES = (
    "Exit codes: 0 done; 2 the store could not be opened, no such withdrawal, or a misused command; 4 refused (identity, "
    "role, four eyes, or before the prior day's computation: 17 CFR 1.23(b)); 5 not in the state the step needs "
    "(not approved yet, done or cancelled already, or executed: an executed withdrawal cannot be cancelled)."
)
AT_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]
CLASSES = ["segregation", "secured", "swaps"]
REPORT = ["text", "json"]


@main.group(epilog=EXIT_CODES)
def withdrawal() -> None:
    """Withdrawals of the firm's own funds (residual interest) from a class, checked as they are recorded.

    \b
    None not to or for customers before the prior business day's computation is complete (17 CFR 1.23(b),
    30.7(g)(2), 22.17(b)). One that, with the others measured against the same computation not for customers,
    exceeds 25% of its residual interest needs a signer's approval before it is executed, and gets a notice
    (1.23(d), 30.7(g)(3)-(5), 22.17(c)); so does every further one until the next computation. One not executed
    may be cancelled: it stops counting toward the 25%, and its notice, unless sent, is not to be sent.
    """


def _text(value: Decimal | None) -> str:
    from dailyseg.money import format_amount

    return format_amount(value) if value is not None else ""


def withdrawal_json(w: Withdrawal) -> dict[str, Any]:
    """The withdrawal's JSON, the API's (`POST /api/withdrawals`) too."""
    from dailyseg.withdrawals.shapes import WithdrawalOut

    return WithdrawalOut.of(w).model_dump(mode="json")


def _report(w: Withdrawal, fmt: str) -> None:
    if fmt == "json":
        emit_json(withdrawal_json(w))
        return
    basis = f"measured against {w.basis} of {w.basis_date} (residual interest {_text(w.residual_interest)})" if w.basis else "no basis"
    say(f"withdrawal {w.id}: {_text(w.amount)} {w.currency} from {w.statement} of {w.firm_name} is {w.state}; {basis}")
    if w.needs_approval:
        approval = f"approved by {w.approved_by}" if w.approved_by else "not yet approved"
        say(f"  exceeds 25% with the series ({_text(w.series)}): needs a signer's approval ({approval}); notice {w.notice_id} drafted")
    if w.cancelled_by is not None:
        notice = f"; notice {w.notice_id} is not to be sent unless it was" if w.notice_id is not None else ""
        say(f"  cancelled by {w.cancelled_by}: {w.cancel_reason}; no longer counted toward the 25%{notice}")


def _at(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        fail("--at needs its zone, e.g. 2024-03-05T10:00-05:00", UNREADABLE)
    return value


@withdrawal.command(name="record", epilog=EXIT_CODES)
@click.argument("firm")
@click.option("--class", "statement", type=click.Choice(CLASSES), required=True, help="The class the funds leave.")
@click.option("--amount", required=True, help="The amount, in --currency (e.g. 2500000 or 2,500,000.50).")
@click.option("--currency", default="USD", show_default=True, help="ISO 4217 code of the amount.")
@click.option("--usd", help="The amount in US dollars, needed when --currency is not USD (the rate the firm used).")
@click.option("--recipient", required=True, help="Who receives the funds.")
@click.option("--purpose", required=True, help="What the withdrawal is for.")
@click.option("--for-customers", is_flag=True, help="The withdrawal is to or for customers (not gated, not counted toward 25%).")
@click.option("--at", "at", type=click.DateTime(AT_FORMATS), help="When it is (to be) made (default now), e.g. 2024-03-05T10:00-05:00.")
@as_option
@db_option
@format_option(REPORT, "text")
def record_command(
    firm: str,
    statement: str,
    amount: str,
    currency: str,
    usd: str | None,
    recipient: str,
    purpose: str,
    for_customers: bool,
    at: datetime | None,
    as_user: str | None,
    db: str | None,
    fmt: str,
) -> None:
    """Record a withdrawal from FIRM's class (a preparer or signer): refused before the prior business day's
    computation is complete; past 25% it needs approval and its notice is drafted (`dailyseg notice show ID`)."""
    from dailyseg.store.identity import firm_id_of, name_key
    from dailyseg.store.withdrawals import record
    from dailyseg.store.workflow import Refused
    from dailyseg.withdrawals.asked import request_of

    try:
        request = request_of(
            firm, statement, amount, currency, usd, recipient, purpose, for_customers, _at(at), names=("--amount", "--usd")
        )
    except Refused as problem:
        refused(problem)
    with open_store(db, create=True) as store:
        actor = acting(store, as_user)
        firm_id = store.resolve(firm) or firm_id_of(name_key(firm))
        try:
            made = record(store, actor, request, firm_id=firm_id)
        except Refused as problem:
            refused(problem)
    _report(made.withdrawal, fmt)


@withdrawal.command(name="approve", epilog=EXIT_CODES)
@click.argument("withdrawal_id", metavar="ID", type=click.IntRange(min=1))
@as_option
@db_option
@format_option(REPORT, "text")
def approve_command(withdrawal_id: int, as_user: str | None, db: str | None, fmt: str) -> None:
    """Approve withdrawal ID in writing before it is made (a signer who did not record it)."""
    from dailyseg.store.withdrawals import approve
    from dailyseg.store.workflow import Refused

    with open_store(db) as store:
        actor = acting(store, as_user)
        try:
            done = approve(store, actor, withdrawal_id)
        except Refused as problem:
            refused(problem)
    _report(done, fmt)


@withdrawal.command(name="execute", epilog=EXIT_CODES)
@click.argument("withdrawal_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--at", "at", type=click.DateTime(AT_FORMATS), help="When it was made (default now).")
@as_option
@db_option
@format_option(REPORT, "text")
def execute_command(withdrawal_id: int, at: datetime | None, as_user: str | None, db: str | None, fmt: str) -> None:
    """Mark withdrawal ID made (a preparer or signer); one that needs approval only once approved."""
    from dailyseg.store.withdrawals import execute
    from dailyseg.store.workflow import Refused

    with open_store(db) as store:
        actor = acting(store, as_user)
        try:
            done = execute(store, actor, withdrawal_id, at=_at(at))
        except Refused as problem:
            refused(problem)
    _report(done, fmt)


@withdrawal.command(name="cancel", epilog=EXIT_CODES)
@click.argument("withdrawal_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--reason", required=True, metavar="TEXT", help="Why it is cancelled (kept with it and in the audit log).")
@as_option
@db_option
@format_option(REPORT, "text")
def cancel_command(withdrawal_id: int, reason: str, as_user: str | None, db: str | None, fmt: str) -> None:
    """Cancel withdrawal ID, not executed (a preparer or signer): it no longer counts toward its series' 25%, and
    its 1.23(d) notice, if not sent, says it is withdrawn. An executed withdrawal cannot be cancelled (exit code 5)."""
    from dailyseg.store.withdrawals import cancel
    from dailyseg.store.workflow import Refused

    with open_store(db) as store:
        actor = acting(store, as_user)
        try:
            done = cancel(store, actor, withdrawal_id, reason=reason)
        except Refused as problem:
            refused(problem)
    _report(done, fmt)


@withdrawal.command(name="list", epilog="Exit codes: 0 listed; 2 the store could not be opened.")
@click.argument("firm", required=False)
@period_options
@db_option
@format_option(["table", "csv", "json"], "table")
def list_command(firm: str | None, start: date | None, end: date | None, db: str | None, fmt: str) -> None:
    """List withdrawals (of FIRM; --from/--to are the prior-day computations they were measured against), then
    each class's residual interest, what was withdrawn against it and the estimate after, beside its target."""
    from dailyseg.calendar import FILING_ZONE
    from dailyseg.store.withdrawals import list_withdrawals, standings_after

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = list_withdrawals(store, firm_id=firm_id, start=start, end=end)
    after = standings_after(found)
    if fmt == "json":
        from dailyseg.withdrawals.shapes import WithdrawalListing

        emit_json(WithdrawalListing.of(found, after).model_dump(mode="json"))
        return
    listing = Listing(
        [
            Column("id", "id", "number"),
            Column("at", "time", "id"),
            Column("firm_id", "firm", "id"),
            Column("statement", "class", "id"),
            Column("amount", "amount", "amount"),
            Column("currency", "cur", "id"),
            Column("usd", "USD", "amount"),
            Column("for_customers", "customers", "mark"),
            Column("series", "series", "amount"),
            Column("needs_approval", "approval", "mark"),
            Column("state", "state", "id"),
            Column("notice_id", "notice", "number"),
        ]
    )
    for w in found:
        listing.add(
            str(w.id),
            w.at.astimezone(FILING_ZONE).isoformat(timespec="minutes"),
            w.firm_id,
            w.statement,
            _text(w.amount),
            w.currency,
            _text(w.usd),
            "yes" if w.for_customers else "",
            _text(w.series),
            "needed" if w.needs_approval else "",
            w.state,
            str(w.notice_id or ""),
        )
    show(listing, fmt)
    if fmt == "csv":
        return
    standing = Listing(
        [
            Column("basis_date", "prior day", "date"),
            Column("firm_id", "firm", "id"),
            Column("statement", "class", "id"),
            Column("residual_interest", "residual interest", "amount"),
            Column("withdrawn", "withdrawn", "amount"),
            Column("estimated_after", "estimated after", "amount"),
            Column("target", "target", "amount"),
            Column("below_target", "below target", "mark"),
        ]
    )
    for s in after:
        standing.add(
            s.basis_date,
            s.firm_id,
            s.statement,
            _text(s.residual_interest),
            _text(s.withdrawn),
            _text(s.estimated_after),
            _text(s.target),
            "below" if s.below_target else "",
        )
    say("")
    show(standing, fmt)
