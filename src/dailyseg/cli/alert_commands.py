"""`dailyseg alerts`: subscriptions to the monitor's events, the delivery log, and sending what is due; and
what `dailyseg monitor --notify` runs after the monitor (docs/alerts.md)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import click

from dailyseg.cli.app import DAY, FOUND_ERRORS, OK, UNREADABLE, fail, format_option, main
from dailyseg.cli.output import Column, Listing, emit_json, say, show
from dailyseg.cli.store_options import db_option, firm_id_or_exit, open_store

if TYPE_CHECKING:
    from dailyseg.alerts.deliver import Report
    from dailyseg.checks import Selection
    from dailyseg.store import Store
    from dailyseg.store.alert_rows import Delivery, State, Subscription
    from dailyseg.watch.monitor import Observation

LISTING = ["table", "csv", "json"]
SEND_EXIT = "Exit codes: 0 every attempt delivered (or nothing was due); 1 an attempt failed; 2 the store could not be opened."


def _now() -> datetime:
    return datetime.now(UTC)


def _base_url() -> str:
    from dailyseg.alerts.events import BASE_URL_ENV, DEFAULT_BASE_URL

    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def summary(report: Report, *, queueing: bool) -> str:
    queued = f"{report.queued} new deliveries queued; " if queueing else ""
    return (
        f"alerts: {queued}{report.count('delivered')} delivered, {report.count('pending')} to be tried again, "
        f"{report.count('failed')} failed"
    )


def _say_failures(report: Report) -> None:
    for o in report.outcomes:
        if o.state != "delivered":
            say((o.state, "yellow" if o.state == "pending" else "red"), f" delivery {o.delivery_id}: {o.error}", err=True)


def merged(found: Sequence[Observation], more: Sequence[Observation]) -> list[Observation]:
    """The monitor's findings with more of them, by firm and End Date, each day's as every surface orders them."""
    from dailyseg.checks import REGISTRY

    return sorted([*found, *more], key=lambda o: (o.firm_id, o.end_date, *REGISTRY.rank(o.finding)))


def notify_pass(
    store: Store, found: list[Observation], firm_id: str | None, *, dead_man: bool, selection: Selection
) -> tuple[list[Observation], Report]:
    """The monitor's findings with the dead-man checks' (when `dead_man`: filings and the firm's own closes of
    `firm_id`, None for every firm, judged at the clock), each event queued once per subscription, what is due
    sent: the findings and what the sending came to."""
    from dailyseg.alerts.deadman import CLOSE_RULE, RULE, overdue_closes, overdue_filings
    from dailyseg.alerts.deliver import notify
    from dailyseg.alerts.events import events_of
    from dailyseg.checks import REGISTRY

    now = _now()
    if dead_man:
        chosen = {r.id for r in REGISTRY.chosen(selection)}
        late = overdue_filings(store, [firm_id] if firm_id is not None else store.firm_ids(), now) if RULE in chosen else []
        late += overdue_closes(store, firm_id, now) if CLOSE_RULE in chosen else []
        found = merged(found, late)
    return found, notify(store, events_of(found), now, os.environ, _base_url())


def notify_found(store: Store, found: list[Observation], firm_id: str | None, *, dead_man: bool, selection: Selection) -> list[Observation]:
    """`monitor --notify`: `notify_pass`, with a summary on standard error."""
    found, report = notify_pass(store, found, firm_id, dead_man=dead_man, selection=selection)
    _say_failures(report)
    say(summary(report, queueing=True), err=True)
    return found


@main.group(epilog="Exit codes: 0 done; 1 a delivery attempt failed (send); 2 the store could not be opened, or a misused command.")
def alerts() -> None:
    """Alerts: subscriptions to the monitor's events, delivered by webhook (signed JSON) or e-mail (SMTP).

    `dailyseg monitor --notify` queues each new event once per subscription and sends it; `alerts send` retries
    what is due (run it every few minutes, from cron or a timer), or `dailyseg watch` does both in a loop.
    Settings: docs/alerts.md.

    \b
    Exit codes: 0 done; 1 a delivery attempt failed (send); 2 the store could not be opened, no such subscription,
    or a misused command.
    """


def _rules(names: Sequence[str]) -> list[str]:
    from dailyseg.alerts.subscriptions import SubscriptionError, check_rules

    try:
        return check_rules([n.strip() for item in names for n in item.split(",") if n.strip()])
    except SubscriptionError as problem:
        raise click.BadParameter(str(problem), param_hint="--rule") from None


@alerts.command(epilog="Exit codes: 0 subscribed; 2 a wrong option, no such firm, or the store could not be opened.")
@click.option("--firm", help="Only events about this firm, one the store knows (id or any name it filed under; default: every firm).")
@click.option(
    "--rule", "rules", multiple=True, metavar="ID[,ID]", help="Only events of these rules (default: every event; see `dailyseg rules`)."
)
@click.option("--from", "start", type=DAY, help="Only events of End Dates from this day on (default: a week before today).")
@click.option("--webhook", metavar="URL", help="POST each event as signed JSON to this http(s) URL.")
@click.option(
    "--secret-env",
    metavar="VAR",
    help="The environment variable holding the webhook's signing secret (default: a new secret, shown once).",
)
@click.option("--email", "emails", multiple=True, metavar="ADDRESS", help="Mail each event to this address (repeatable).")
@db_option
@format_option(["text", "json"], "text")
def subscribe(
    firm: str | None,
    rules: tuple[str, ...],
    start: date | None,
    webhook: str | None,
    secret_env: str | None,
    emails: tuple[str, ...],
    db: str | None,
    fmt: str,
) -> None:
    """Subscribe a webhook or e-mail addresses to events: of one firm or every firm, of some rules or every event."""
    from dailyseg.alerts.subscriptions import DEFAULT_LOOKBACK, SubscriptionError, check_addresses, check_url, new_secret
    from dailyseg.store.alert_rows import Channel, add_subscription

    if (webhook is None) == (not emails):
        raise click.UsageError("give one channel: --webhook URL or --email ADDRESS")
    if secret_env is not None and webhook is None:
        raise click.UsageError("--secret-env goes with --webhook")
    chosen = _rules(rules)
    made_secret: str | None = None
    try:
        if webhook is not None:
            channel: Channel = "webhook"
            target = check_url(webhook)
            if secret_env is not None:
                secret = os.environ.get(secret_env, "")
                if not secret:
                    fail(f"the environment variable {secret_env} holds no secret", UNREADABLE)
            else:
                secret = made_secret = new_secret()
        else:
            channel, target, secret = "email", check_addresses(emails), None
    except SubscriptionError as problem:
        raise click.UsageError(str(problem)) from None
    now = _now()
    with open_store(db, create=True) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        first = start or (now - DEFAULT_LOOKBACK).date()
        new = add_subscription(
            store, firm_id=firm_id, rules=chosen, from_date=first, channel=channel, target=target, secret=secret, now=now
        )
    if fmt == "json":
        emit_json(
            {
                "id": new,
                "firm_id": firm_id,
                "rules": chosen,
                "from": first.isoformat(),
                "channel": channel,
                "target": target,
                "secret": made_secret,
            }
        )
        return
    what = ", ".join(chosen) or "every event"
    say(f"subscription {new}: {channel} {target}; {firm_id or 'every firm'}; {what}; End Dates from {first}")
    if made_secret is not None:
        say(f"signing secret (shown once, keep it with the receiver): {made_secret}")


def _subscription_listing(found: Sequence[Subscription]) -> Listing:
    listing = Listing(
        [
            Column("id", "#", "number"),
            Column("firm_id", "firm", "id"),
            Column("rules", "rules", "id"),
            Column("from", "from", "date"),
            Column("channel", "channel", "id"),
            Column("target", "to"),
            Column("created_at", "made (UTC)", "id"),
            Column("removed_at", "removed (UTC)", "id"),
        ]
    )
    for s in found:
        removed = s.removed_at.isoformat(timespec="seconds") if s.removed_at else None
        listing.add(
            str(s.id),
            s.firm_id or "*",
            ",".join(s.rules) or "*",
            s.from_date,
            s.channel,
            s.target,
            s.created_at.isoformat(timespec="seconds"),
            removed,
        )
    return listing


def _subscription_json(s: Subscription) -> dict[str, Any]:
    """A subscription as scripts read it; its secret is never shown again."""
    return {
        "id": s.id,
        "firm_id": s.firm_id,
        "rules": list(s.rules),
        "from": s.from_date.isoformat() if s.from_date else None,
        "channel": s.channel,
        "target": s.target,
        "created_at": s.created_at.isoformat(),
        "removed_at": s.removed_at.isoformat() if s.removed_at else None,
    }


@alerts.command(name="list", epilog="Exit codes: 0 listed; 2 the store could not be opened.")
@click.option("--removed", is_flag=True, help="Also list removed subscriptions.")
@db_option
@format_option(LISTING, "table")
def list_subscriptions(removed: bool, db: str | None, fmt: str) -> None:
    """The subscriptions, oldest first (secrets are never shown)."""
    from dailyseg.store.alert_rows import subscriptions

    with open_store(db) as store:
        found = subscriptions(store, removed=removed)
    if fmt == "json":
        emit_json([_subscription_json(s) for s in found])
    else:
        show(_subscription_listing(found), fmt)


@alerts.command(epilog="Exit codes: 0 removed; 2 no such subscription (or removed already), or the store could not be opened.")
@click.argument("subscription", type=int)
@db_option
def remove(subscription: int, db: str | None) -> None:
    """Remove SUBSCRIPTION (its number in `alerts list`): its pending deliveries become failed; the log keeps them."""
    from dailyseg.store.alert_rows import remove_subscription

    with open_store(db) as store:
        if not remove_subscription(store, subscription, _now()):
            fail(f"no subscription {subscription} (or it was removed already): see `dailyseg alerts list`", UNREADABLE)
    say(f"subscription {subscription} removed")


def _delivery_json(d: Delivery) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": d.id,
        "event_id": d.event_id,
        "subscription": d.subscription_id,
        "channel": d.channel,
        "target": d.target,
        "firm_id": d.firm_id,
        "rule": d.rule,
        "end_date": d.end_date.isoformat(),
        "statement": d.statement,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": iso(d.next_attempt_at),
        "last_error": d.last_error,
        "delivered_at": iso(d.delivered_at),
        "queued_at": iso(d.created_at),
        "body": json.loads(d.body),
    }


@alerts.command(epilog="Exit codes: 0 listed; 2 the store could not be opened, a wrong option, or no such firm.")
@click.option("--firm", help="Only deliveries about this firm (id or any name it filed under).")
@click.option("--state", type=click.Choice(["pending", "delivered", "failed"]), help="Only deliveries in this state.")
@db_option
@format_option(LISTING, "table")
def deliveries(firm: str | None, state: str | None, db: str | None, fmt: str) -> None:
    """The delivery log: one row per event and subscription, its state, attempts, next attempt and last error."""
    from dailyseg.store.alert_rows import deliveries as log

    with open_store(db) as store:
        firm_id = firm_id_or_exit(store, firm) if firm is not None else None
        found = log(store, firm_id=firm_id, state=cast("State | None", state))
    if fmt == "json":
        emit_json([_delivery_json(d) for d in found])
        return
    listing = Listing(
        [
            Column("id", "#", "number"),
            Column("end_date", "End Date", "date"),
            Column("firm_id", "firm", "id"),
            Column("rule", "rule", "id"),
            Column("statement", "statement", "id"),
            Column("subscription", "sub", "number"),
            Column("channel", "channel", "id"),
            Column("state", "state", "id"),
            Column("attempts", "tries", "number"),
            Column("when", "delivered or next try (UTC)", "id"),
            Column("last_error", "last error"),
            Column("event_id", "event", "id"),
        ]
    )
    for d in found:
        when = d.delivered_at or d.next_attempt_at
        listing.add(
            str(d.id),
            d.end_date,
            d.firm_id,
            d.rule,
            d.statement,
            str(d.subscription_id),
            d.channel,
            d.state,
            str(d.attempts),
            when.isoformat(timespec="seconds") if when else None,
            d.last_error,
            d.event_id[:12],
        )
    show(listing, fmt)


@alerts.command(epilog=SEND_EXIT)
@click.option("--retry-now", is_flag=True, help="Try every pending delivery now, not only those whose next attempt is due.")
@db_option
@format_option(["text", "json"], "text")
def send(retry_now: bool, db: str | None, fmt: str) -> None:
    """Deliver what is due: each pending delivery whose next attempt time has come is tried once; a failure is
    tried again later (waits double from one minute up to six hours), and the 15th failure is final.

    \b
    Exit codes: 0 every attempt delivered (or nothing was due); 1 an attempt failed; 2 the store could not be opened.
    """
    from dailyseg.alerts.deliver import send_due

    with open_store(db) as store:
        report = send_due(store, _now(), os.environ, everything=retry_now)
    if fmt == "json":
        emit_json({"outcomes": [{"delivery": o.delivery_id, "state": o.state, "error": o.error} for o in report.outcomes]})
    else:
        _say_failures(report)
        say(summary(report, queueing=False))
    sys.exit(FOUND_ERRORS if any(o.state != "delivered" for o in report.outcomes) else OK)
