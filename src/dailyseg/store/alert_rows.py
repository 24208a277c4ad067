"""The alert tables' rows: subscriptions, and deliveries, which are the log and the queue at once.

A delivery is one (event, subscription); the unique key makes queueing an event found again a no-op on both
databases, also when two runs queue it at the same moment. Sending is claimed first: one UPDATE that counts
the attempt and moves the next attempt time on, guarded by the attempts seen, so two senders working the
queue together never both send the same delivery, and a sender killed in the middle leaves a delivery that
is simply tried again at its next attempt time. Times are written in UTC (SQLite keeps no zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Row, and_, insert, select, update
from sqlalchemy.engine import Connection

from dailyseg.store.audit import Event, audited, utc
from dailyseg.store.database import store_errors
from dailyseg.store.tables import alert_deliveries, alert_subscriptions

if TYPE_CHECKING:
    from dailyseg.store.store import Store

Channel = Literal["webhook", "email"]
State = Literal["pending", "delivered", "failed"]
STATES: tuple[State, ...] = ("pending", "delivered", "failed")
SYSTEM = "system"
REMOVED = "subscription removed before delivery"


@dataclass(frozen=True)
class Subscription:
    """Who hears about what: a firm (None: every firm), event rule ids (empty: every event), events of End Dates
    from `from_date` on (None: any), one channel."""

    id: int
    firm_id: str | None
    rules: tuple[str, ...]
    from_date: date | None
    channel: Channel
    target: str  # the webhook's URL, or the e-mail addresses, comma-separated
    secret: str | None
    created_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription, with its subscription's channel, and how its sending stands."""

    id: int
    event_id: str
    subscription_id: int
    channel: Channel
    target: str
    secret: str | None
    firm_id: str
    rule: str
    end_date: date
    statement: str | None
    body: str
    state: State
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Queued:
    """A delivery to queue: the event's id, where it is about, and the body to send."""

    event_id: str
    subscription_id: int
    firm_id: str
    rule: str
    end_date: date
    statement: str | None
    body: str


def _when(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def _subscription(row: Row[Any]) -> Subscription:
    rules = tuple(r for r in str(row.rules).split(",") if r)
    return Subscription(
        int(row.id), row.firm_id, rules, row.from_date, row.channel, row.target, row.secret, utc(row.created_at), _when(row.removed_at)
    )


def add_subscription(
    store: Store,
    *,
    firm_id: str | None,
    rules: Sequence[str],
    from_date: date | None,
    channel: Channel,
    target: str,
    secret: str | None,
    now: datetime,
) -> int:
    """Store a subscription, and an entry for it in the audit log, in one transaction; its id."""
    values = {
        "firm_id": firm_id,
        "rules": ",".join(sorted(set(rules))),
        "from_date": from_date,
        "channel": channel,
        "target": target,
        "secret": secret,
        "created_at": now.astimezone(UTC),
    }
    with audited(store, kept="the subscription was not stored") as (conn, chain):
        new = int(conn.execute(insert(alert_subscriptions).values(values).returning(alert_subscriptions.c.id)).scalar_one())
        detail = {"channel": channel, "rules": values["rules"], "from": from_date.isoformat() if from_date else None, "target": target}
        chain.append(Event(SYSTEM, "subscribe", firm_id, None, f"subscription {new}", None, detail))
    return new


def subscriptions(store: Store, *, removed: bool = False) -> list[Subscription]:
    """The subscriptions in the order they were made; those removed too when `removed`."""
    query = select(alert_subscriptions).order_by(alert_subscriptions.c.id)
    if not removed:
        query = query.where(alert_subscriptions.c.removed_at.is_(None))
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return [_subscription(row) for row in conn.execute(query)]


def remove_subscription(store: Store, subscription_id: int, now: datetime) -> bool:
    """Stop a subscription: its pending deliveries fail (kept in the log); False if there is no such live one."""
    at = now.astimezone(UTC)
    with audited(store, kept=f"subscription {subscription_id} was not removed") as (conn, chain):
        live = and_(alert_subscriptions.c.id == subscription_id, alert_subscriptions.c.removed_at.is_(None))
        if conn.execute(update(alert_subscriptions).where(live).values(removed_at=at)).rowcount != 1:
            return False
        pending = and_(alert_deliveries.c.subscription_id == subscription_id, alert_deliveries.c.state == "pending")
        dropped = conn.execute(update(alert_deliveries).where(pending).values(state="failed", last_error=REMOVED, next_attempt_at=None))
        detail = {"pending_deliveries_failed": dropped.rowcount}
        chain.append(Event(SYSTEM, "unsubscribe", None, None, f"subscription {subscription_id}", None, detail))
    return True


def _insert_ignoring_present(conn: Connection) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the delivery's unique key, in the database's own dialect."""
    keys = ["event_id", "subscription_id"]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(alert_deliveries).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(alert_deliveries).on_conflict_do_nothing(index_elements=keys)


def enqueue(store: Store, queued: Sequence[Queued], now: datetime) -> int:
    """Queue each delivery not queued before, due at once; how many were new."""
    if not queued:
        return 0
    at = now.astimezone(UTC)
    with store_errors(store.engine.url, kept="no delivery was queued"), store.engine.begin() as conn:
        ids = sorted({q.event_id for q in queued})
        present: set[tuple[str, int]] = set()
        for start in range(0, len(ids), 500):
            query = select(alert_deliveries.c.event_id, alert_deliveries.c.subscription_id).where(
                alert_deliveries.c.event_id.in_(ids[start : start + 500])
            )
            present |= {(str(e), int(s)) for e, s in conn.execute(query)}
        new = [q for q in queued if (q.event_id, q.subscription_id) not in present]
        if new:
            rows = [
                {
                    "event_id": q.event_id,
                    "subscription_id": q.subscription_id,
                    "firm_id": q.firm_id,
                    "rule": q.rule,
                    "end_date": q.end_date,
                    "statement": q.statement,
                    "body": q.body,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                }
                for q in new
            ]
            conn.execute(_insert_ignoring_present(conn), rows)
    return len(new)


_DELIVERY_COLUMNS = (
    *alert_deliveries.c,
    alert_subscriptions.c.channel,
    alert_subscriptions.c.target,
    alert_subscriptions.c.secret,
)


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        int(row.id),
        str(row.event_id),
        int(row.subscription_id),
        row.channel,
        row.target,
        row.secret,
        str(row.firm_id),
        str(row.rule),
        row.end_date,
        row.statement,
        str(row.body),
        row.state,
        int(row.attempts),
        _when(row.next_attempt_at),
        row.last_error,
        _when(row.delivered_at),
        utc(row.created_at),
    )


def _deliveries_query() -> Any:
    joined = alert_deliveries.join(alert_subscriptions, alert_subscriptions.c.id == alert_deliveries.c.subscription_id)
    return select(*_DELIVERY_COLUMNS).select_from(joined).order_by(alert_deliveries.c.id)


def deliveries(store: Store, *, firm_id: str | None = None, state: State | None = None) -> list[Delivery]:
    """The delivery log, oldest first, of one firm and one state when given."""
    query = _deliveries_query()
    if firm_id is not None:
        query = query.where(alert_deliveries.c.firm_id == firm_id)
    if state is not None:
        query = query.where(alert_deliveries.c.state == state)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return [_delivery(row) for row in conn.execute(query)]


def due(store: Store, now: datetime | None) -> list[Delivery]:
    """The pending deliveries whose next attempt is due by `now` (None: every pending delivery)."""
    query = _deliveries_query().where(alert_deliveries.c.state == "pending")
    if now is not None:
        query = query.where(alert_deliveries.c.next_attempt_at <= now.astimezone(UTC))
    with store_errors(store.engine.url), store.engine.connect() as conn:
        return [_delivery(row) for row in conn.execute(query)]


def claim(store: Store, delivery: Delivery, retry_at: datetime) -> bool:
    """Count an attempt at `delivery` and set its next attempt to `retry_at`, unless another sender did first."""
    seen = and_(
        alert_deliveries.c.id == delivery.id, alert_deliveries.c.state == "pending", alert_deliveries.c.attempts == delivery.attempts
    )
    with store_errors(store.engine.url, kept=f"delivery {delivery.id} was not sent"), store.engine.begin() as conn:
        claimed = conn.execute(
            update(alert_deliveries).where(seen).values(attempts=delivery.attempts + 1, next_attempt_at=retry_at.astimezone(UTC))
        )
        return bool(claimed.rowcount == 1)


def delivered(store: Store, delivery_id: int, at: datetime, note: str | None = None) -> None:
    """Mark a delivery delivered; `note` keeps what went partly wrong (an address the mail server refused)."""
    values = {"state": "delivered", "delivered_at": at.astimezone(UTC), "next_attempt_at": None, "last_error": note}
    with store_errors(store.engine.url, kept=f"delivery {delivery_id} was sent but is not marked delivered"), store.engine.begin() as conn:
        conn.execute(update(alert_deliveries).where(alert_deliveries.c.id == delivery_id).values(values))


def attempt_failed(store: Store, delivery_id: int, error: str, *, final: bool) -> None:
    """Record why an attempt failed; after the last attempt the delivery is failed (and stays in the log)."""
    values: dict[str, Any] = {"last_error": error}
    if final:
        values |= {"state": "failed", "next_attempt_at": None}
    with store_errors(store.engine.url), store.engine.begin() as conn:
        conn.execute(update(alert_deliveries).where(alert_deliveries.c.id == delivery_id).values(values))
