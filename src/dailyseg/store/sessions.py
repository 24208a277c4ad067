"""Sign-in sessions of the pages, kept in the store, and the lock-out after repeated failed sign-ins.

A session id is 32 random bytes in an HttpOnly cookie; the store keeps only its SHA-256 (as it keeps API
tokens: so random a value needs no salt, and a copy of the table signs no one in). A session ends after
`session_idle_s` without a request and `session_lifetime_s` after sign-in, and at once on sign-out: the row
is deleted, so the cookie is worth nothing afterwards even if someone kept a copy. The user's row is read
with the session on every request, so a disabled user, or one whose roles changed, is affected at once.

Failed sign-ins are kept in the store, not in memory: every process of the server (and every server behind
one load balancer) counts the same failures, and restarting the server does not wipe an attacker's record.
Past `sign_in_limit_per_name` failures for one name, or `sign_in_limit_per_address` from one address,
within `sign_in_window_s`, sign-in is refused without checking the password (no Argon2 work to spend)
until the oldest of them leaves the window. A successful sign-in clears the name's failures, not the
address's, so one good account does not reset an attacker's count.

Sign-in and sign-out are audited events (`sign-in`, `sign-out`), written in the transaction that makes or
ends the session.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, or_, select, update

from dailyseg.store.audit import Event, audited, utc
from dailyseg.store.database import store_errors
from dailyseg.store.people import Actor, Denied, authenticate
from dailyseg.store.tables import sign_in_failures, users, web_sessions

if TYPE_CHECKING:
    from dailyseg.store.store import Store
    from dailyseg.web.settings import Settings

SESSION_COOKIE = "dailyseg_session"
_NAME_LENGTH = 100  # the columns' width: a longer name typed is kept cut, as it names no one anyway


class LockedOut(Exception):
    """Too many failed sign-ins for a name or from an address: `retry_after` seconds until the next try."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    """A live session: who, and the hash it is stored under."""

    actor: Actor
    id_hash: str


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _window_wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of `times` lie within `window` before now (0: not locked)."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[len(recent) - limit] + window - now).total_seconds()))


def _check_lock(store: Store, settings: Settings, name: str, address: str, now: datetime) -> None:
    window = timedelta(seconds=settings.sign_in_window_s)
    query = select(sign_in_failures.c.name, sign_in_failures.c.address, sign_in_failures.c.at).where(
        or_(sign_in_failures.c.name == name, sign_in_failures.c.address == address), sign_in_failures.c.at > now - window
    )
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(query).all()
    by_name = _window_wait([utc(r.at) for r in rows if r.name == name], settings.sign_in_limit_per_name, window, now)
    by_address = _window_wait([utc(r.at) for r in rows if r.address == address], settings.sign_in_limit_per_address, window, now)
    wait = max(by_name, by_address)
    if wait:
        whom = f"for {name!r}" if by_name else "from this address"
        raise LockedOut(f"too many failed sign-ins {whom}: sign-in is locked for {wait} s", wait)


def _record_failure(store: Store, settings: Settings, name: str, address: str, now: datetime) -> None:
    """Keep the failure, and forget those that have left the window (the table stays small)."""
    with store_errors(store.engine.url, kept="the failed sign-in was not recorded"), store.engine.begin() as conn:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.at <= now - timedelta(seconds=settings.sign_in_window_s)))
        conn.execute(insert(sign_in_failures).values(name=name, address=address, at=now))


def sign_in(store: Store, settings: Settings, name: str, password: str, address: str) -> tuple[Actor, str]:
    """Check a name and password and open a session: the actor and the new session id (for the cookie only).

    Denied for a wrong name or password or a disabled user (counted as a failure); LockedOut past the limits.
    """
    name = name.strip().lower()[:_NAME_LENGTH]
    address = address[:_NAME_LENGTH]
    now = datetime.now(UTC)
    _check_lock(store, settings, name, address, now)
    try:
        with store_errors(store.engine.url), store.engine.connect() as conn:
            actor = authenticate(conn, name=name, password=password)
    except Denied:
        _record_failure(store, settings, name, address, now)
        raise
    session_id = secrets.token_urlsafe(32)
    idle, life = timedelta(seconds=settings.session_idle_s), timedelta(seconds=settings.session_lifetime_s)
    with audited(store, kept=f"{name!r} was not signed in") as (conn, chain):
        # Sessions that have ended are deleted here, so the table holds only live ones and those just ended.
        conn.execute(delete(web_sessions).where(or_(web_sessions.c.seen_at <= now - idle, web_sessions.c.created_at <= now - life)))
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.name == name))
        row = {"id_hash": session_hash(session_id), "user_id": actor.user_id, "created_at": now, "seen_at": now, "address": address}
        conn.execute(insert(web_sessions).values(row))
        chain.append(Event(actor.name, "sign-in", subject=f"user {actor.name}", detail={"address": address, "via": actor.via}))
    return actor, session_id


def current(store: Store, settings: Settings, session_id: str) -> Session | None:
    """The live session of a cookie's id, or None (unknown, ended, expired, or its user disabled).

    Its last use is written at most every `_touch_every` seconds, so that reading pages is not a write each time.
    """
    id_hash = session_hash(session_id)
    query = (
        select(web_sessions.c.created_at, web_sessions.c.seen_at, users.c.id, users.c.name, users.c.roles, users.c.disabled)
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.id_hash == id_hash)
    )
    now = datetime.now(UTC)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.disabled:
        return None
    seen, began = utc(row.seen_at), utc(row.created_at)
    if now - seen >= timedelta(seconds=settings.session_idle_s) or now - began >= timedelta(seconds=settings.session_lifetime_s):
        return None
    if now - seen >= timedelta(seconds=_touch_every(settings)):
        with store_errors(store.engine.url), store.engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.id_hash == id_hash).values(seen_at=now))
    roles = frozenset(r for r in str(row.roles).split(",") if r)
    return Session(Actor(str(row.name), int(row.id), roles, "session"), id_hash)


def _touch_every(settings: Settings) -> float:
    """How stale the recorded last use may get: a minute, or a quarter of a short idle timeout."""
    return min(60.0, settings.session_idle_s / 4)


def sign_out(store: Store, session: Session, address: str) -> None:
    """End the session in the store (its cookie is worthless from now on) and log it."""
    with audited(store, kept="the session was not ended") as (conn, chain):
        ended = conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == session.id_hash)).rowcount
        if ended:
            name = session.actor.name
            chain.append(Event(name, "sign-out", subject=f"user {name}", detail={"address": address[:_NAME_LENGTH]}))
