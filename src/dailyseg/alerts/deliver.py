"""Queueing each new event once per subscription, and working the queue.

`notify` is what `dailyseg monitor --notify` runs: it queues a delivery for every (event, subscription) not
queued before (the store's unique key: a later run finding the same event queues nothing), then sends what is
due. `send_due` is `dailyseg alerts send`: every pending delivery whose next attempt time has come (or every
pending one, `everything`) is claimed, tried once, and marked delivered, or left pending until its next
attempt (`backoff`), or failed after the last. Nothing is lost while a receiver is down: its deliveries stay
pending, with the error, until it answers or the attempts run out.

The body is made once, when the delivery is queued, and stored: every retry sends the same bytes (and so the
same signature), whatever the store holds by then.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dailyseg.alerts.backoff import is_final, wait_after
from dailyseg.alerts.events import Event
from dailyseg.alerts.mail import SmtpSettings, message, send
from dailyseg.alerts.subscriptions import covers
from dailyseg.alerts.webhook import AttemptFailed, post
from dailyseg.store.alert_rows import Delivery, Queued, State, attempt_failed, claim, delivered, due, enqueue, subscriptions
from dailyseg.store.store import Store

Clock = Callable[[], datetime]


def _clock() -> datetime:
    return datetime.now(UTC)


def body_text(event: Event, base_url: str) -> str:
    """The body as sent: compact JSON, keys in a fixed order, UTF-8 text kept as it is."""
    return json.dumps(event.body(base_url), separators=(",", ":"), ensure_ascii=False)


def queue(store: Store, events: Iterable[Event], now: datetime, base_url: str) -> int:
    """Queue a delivery for each event and each live subscription that covers it, unless queued before."""
    live = subscriptions(store)
    queued = [
        Queued(e.id, s.id, e.firm_id, e.rule, e.observation.end_date, e.observation.finding.statement, body_text(e, base_url))
        for e in events
        for s in live
        if covers(s, e)
    ]
    return enqueue(store, queued, now)


def subject_of(body: Mapping[str, Any]) -> str:
    where = " ".join(str(part) for part in (body["firm_id"], body["end_date"], body["statement"]) if part)
    return f"[dailyseg] {body['severity']} {body['rule']}: {where}"


def mail_text(body: Mapping[str, Any]) -> str:
    """The e-mail's text: the same fields the webhook body holds, for a person."""
    figures = body["figures"]
    lines = [
        body["message"],
        "",
        f"firm: {body['firm_id']}",
        f"End Date: {body['end_date']}" + (f" (since {body['since']})" if body["since"] else ""),
        f"statement: {body['statement'] or '-'}",
        f"rule: {body['rule']} ({body['severity']}), {body['citation']}",
        *(f"{name}: {value}" for name, value in figures.items() if value is not None),
        *([f"notice: {body['notice']}"] if body["notice"] else []),
        f"link: {body['link']}",
        "",
        f"event {body['event_id']}",
    ]
    return "\n".join(lines) + "\n"


def attempt(delivery: Delivery, env: Mapping[str, str], at: datetime) -> str | None:
    """Try a delivery once over its channel; AttemptFailed says why it did not go, a note what went partly wrong."""
    if delivery.channel == "webhook":
        post(
            delivery.target,
            delivery.secret or "",
            delivery.body.encode("utf-8"),
            event_id=delivery.event_id,
            delivery_id=delivery.id,
            at=at,
        )
        return None
    settings = SmtpSettings.from_env(env)
    body = json.loads(delivery.body)
    refused = send(settings, message(settings.sender, delivery.target.replace(",", ", "), subject_of(body), mail_text(body)))
    return f"refused by the mail server: {', '.join(refused)}" if refused else None


@dataclass(frozen=True)
class Outcome:
    """What one attempt at a delivery came to."""

    delivery_id: int
    state: State
    error: str | None


@dataclass
class Report:
    """What a run queued and what its attempts came to."""

    queued: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, state: State) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


def send_due(
    store: Store, now: datetime, env: Mapping[str, str], *, everything: bool = False, clock: Clock = _clock, report: Report | None = None
) -> Report:
    """Try each pending delivery that is due at `now` (every pending one when `everything`), once."""
    report = report or Report()
    for delivery in due(store, None if everything else now):
        made = delivery.attempts + 1
        if not claim(store, delivery, now + wait_after(made)):
            continue  # another sender has it
        try:
            note = attempt(delivery, env, clock())
        except AttemptFailed as failed:
            final = is_final(made)
            attempt_failed(store, delivery.id, str(failed), final=final)
            report.outcomes.append(Outcome(delivery.id, "failed" if final else "pending", str(failed)))
        else:
            delivered(store, delivery.id, clock(), note)
            report.outcomes.append(Outcome(delivery.id, "delivered", note))
    return report


def notify(store: Store, events: Iterable[Event], now: datetime, env: Mapping[str, str], base_url: str, *, clock: Clock = _clock) -> Report:
    """Queue the new events, then send everything due."""
    report = Report(queued=queue(store, events, now, base_url))
    return send_due(store, now, env, clock=clock, report=report)
