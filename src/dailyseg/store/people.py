"""Who acts on the store: users, their roles, passwords and API tokens, and the one identity check.

Roles: viewer (reads), preparer (makes and reviews drafts, files), signer (approves), admin (manages users);
a user may hold several. Passwords are hashed with Argon2id (argon2-cffi's defaults, which follow RFC
9106's recommendation). An API token is 32 random bytes: so much chance cannot be guessed, so it is kept as
its SHA-256, which lets a token be found by its hash in one indexed lookup where a salted slow hash could
not. The token is shown once when it is made.

`authenticate` is the identity check of the command line and, later, of the web app, which passes its
shared write token as `service_token`: that token acts as the service account `service`, which holds no
role of the daily close (it only stores uploaded filings, as before).

Every change to users and tokens is an audited transaction (audit.py).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from dailyseg.store.audit import Event, audited
from dailyseg.store.database import store_errors
from dailyseg.store.tables import user_tokens, users

if TYPE_CHECKING:
    from dailyseg.store.store import Store

ROLES = ("viewer", "preparer", "signer", "admin")
SERVICE = "service"
TOKEN_PREFIX = "dst_"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so an unknown name takes as long to refuse as a wrong
    password (made when first needed: hashing takes tens of milliseconds)."""
    return _HASHER.hash("not a password of anyone")


class Denied(Exception):
    """Not allowed: an unknown user, a wrong password or token, a disabled user, a role the act needs."""


class PeopleError(ValueError):
    """A request that cannot be carried out as asked (a bad name or role, no such user)."""


@dataclass(frozen=True)
class Actor:
    """Someone authenticated: `via` says how ("password", "token 3", "service token", "first user")."""

    name: str
    user_id: int | None
    roles: frozenset[str]
    via: str

    def has(self, role: str) -> bool:
        return role in self.roles

    def require(self, role: str, doing: str) -> None:
        if role not in self.roles:
            raise Denied(f"{self.name} may not {doing}: that needs the {role} role")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    roles: tuple[str, ...]
    disabled: bool
    created_at: datetime
    tokens: int  # tokens not revoked


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _roles(text: str) -> frozenset[str]:
    return frozenset(r for r in text.split(",") if r)


def checked_roles(roles: Iterable[str]) -> str:
    """Roles as stored (sorted, comma-separated); PeopleError for one that does not exist."""
    chosen = {r.strip().lower() for r in roles if r.strip()}
    unknown = sorted(chosen - set(ROLES))
    if unknown:
        raise PeopleError(f"no role {unknown[0]!r}; roles: {', '.join(ROLES)}")
    return ",".join(sorted(chosen))


def authenticate(
    conn: Connection, *, name: str | None = None, password: str | None = None, token: str | None = None, service_token: str | None = None
) -> Actor:
    """The actor that a name and password, or a token, stand for; Denied when they stand for no one."""
    if name is None:
        if not token:
            raise Denied("no identity given: a user name and password, or a token")
        if service_token is not None and secrets.compare_digest(token.encode(), service_token.encode()):
            return Actor(SERVICE, None, frozenset(), "service token")
        query = (
            select(users.c.id, users.c.name, users.c.roles, users.c.disabled, user_tokens.c.id.label("token_id"))
            .join(user_tokens, user_tokens.c.user_id == users.c.id)
            .where(user_tokens.c.token_hash == token_hash(token), user_tokens.c.revoked_at.is_(None))
        )
        row = conn.execute(query).first()
        if row is None or row.disabled:
            raise Denied("the token is not valid: unknown, revoked, or its user is disabled")
        return Actor(row.name, int(row.id), _roles(row.roles), f"token {row.token_id}")
    row = conn.execute(select(users).where(users.c.name == name)).first()
    try:
        _HASHER.verify(row.password_hash if row is not None else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        raise Denied(f"unknown user {name!r} or wrong password") from None
    if row is None:
        raise Denied(f"unknown user {name!r} or wrong password")
    if row.disabled:
        raise Denied(f"user {name!r} is disabled")
    return Actor(row.name, int(row.id), _roles(row.roles), "password")


def list_users(store: Store) -> list[User]:
    live = (
        select(user_tokens.c.user_id, func.count().label("n"))
        .where(user_tokens.c.revoked_at.is_(None))
        .group_by(user_tokens.c.user_id)
        .subquery()
    )
    query = select(users, live.c.n).outerjoin(live, live.c.user_id == users.c.id).order_by(users.c.name)
    with store_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [User(int(r.id), r.name, tuple(sorted(_roles(r.roles))), bool(r.disabled), r.created_at, int(r.n or 0)) for r in rows]


def _user(conn: Connection, name: str) -> tuple[int, frozenset[str], bool]:
    row = conn.execute(select(users.c.id, users.c.roles, users.c.disabled).where(users.c.name == name)).first()
    if row is None:
        raise PeopleError(f"no user {name!r}")
    return int(row.id), _roles(row.roles), bool(row.disabled)


def _admins_left(conn: Connection, without: int) -> int:
    rows = conn.execute(select(users.c.id, users.c.roles).where(users.c.disabled.is_(False), users.c.id != without)).all()
    return sum("admin" in _roles(r.roles) for r in rows)


def add_user(store: Store, actor: Actor | None, name: str, password: str, roles: Iterable[str]) -> Actor:
    """Add a user. With no actor this is the first user, allowed only into an empty store and only as admin."""
    if not _NAME.fullmatch(name):
        raise PeopleError(f"a user name is 1 to 100 of a-z, 0-9, '.', '_', '-', starting with a letter or digit: {name!r}")
    if len(password) < 8:
        raise PeopleError("a password has at least 8 characters")
    stored = checked_roles(roles)
    with audited(store, kept=f"user {name!r} was not added") as (conn, chain):
        if actor is None:
            if conn.execute(select(func.count()).select_from(users)).scalar():
                raise Denied("the store has users: adding one needs an admin (--as ADMIN)")
            if "admin" not in _roles(stored):
                raise PeopleError("the first user must hold the admin role (--role admin)")
            actor_name, via = name, "first user"
        else:
            actor.require("admin", "add users")
            actor_name, via = actor.name, actor.via
        if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
            raise PeopleError(f"there is a user {name!r} already")
        new = conn.execute(
            insert(users)
            .values(name=name, password_hash=_HASHER.hash(password), roles=stored, created_at=datetime.now(UTC))
            .returning(users.c.id)
        ).scalar_one()
        chain.append(Event(actor_name, "user-add", subject=f"user {name}", detail={"roles": stored, "via": via}))
    return Actor(name, int(new), _roles(stored), "password")


def set_roles(store: Store, actor: Actor, name: str, roles: Iterable[str]) -> None:
    """Replace a user's roles; refused when it would leave no enabled admin."""
    stored = checked_roles(roles)
    with audited(store, kept=f"the roles of {name!r} were not changed") as (conn, chain):
        actor.require("admin", "change roles")
        user_id, before, _ = _user(conn, name)
        if "admin" in before and "admin" not in _roles(stored) and not _admins_left(conn, user_id):
            raise PeopleError(f"{name!r} is the last admin: make another admin first")
        conn.execute(update(users).where(users.c.id == user_id).values(roles=stored))
        detail = {"roles": stored, "before": ",".join(sorted(before)), "via": actor.via}
        chain.append(Event(actor.name, "user-set-role", subject=f"user {name}", detail=detail))


def disable(store: Store, actor: Actor, name: str) -> None:
    """Disable a user: they can no longer sign in or use their tokens. Users are never deleted."""
    with audited(store, kept=f"{name!r} was not disabled") as (conn, chain):
        actor.require("admin", "disable users")
        user_id, roles, disabled = _user(conn, name)
        if disabled:
            raise PeopleError(f"{name!r} is disabled already")
        if "admin" in roles and not _admins_left(conn, user_id):
            raise PeopleError(f"{name!r} is the last admin: make another admin first")
        conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
        chain.append(Event(actor.name, "user-disable", subject=f"user {name}", detail={"via": actor.via}))


def issue_token(store: Store, actor: Actor, name: str) -> tuple[int, str]:
    """A new API token for `name` (an admin's, or the user's own): its id and the token, shown only now."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with audited(store, kept=f"no token was made for {name!r}") as (conn, chain):
        if actor.name != name:
            actor.require("admin", f"make tokens for {name!r}")
        user_id, _, disabled = _user(conn, name)
        if disabled:
            raise PeopleError(f"{name!r} is disabled")
        values = {"user_id": user_id, "token_hash": token_hash(token), "created_at": datetime.now(UTC)}
        token_id = int(conn.execute(insert(user_tokens).values(values).returning(user_tokens.c.id)).scalar_one())
        chain.append(Event(actor.name, "token-issue", subject=f"user {name}", detail={"token": token_id, "via": actor.via}))
    return token_id, token


def revoke_token(store: Store, actor: Actor, token_id: int) -> str:
    """Revoke a token (an admin may revoke any, a user their own); the name of its user."""
    with audited(store, kept=f"token {token_id} was not revoked") as (conn, chain):
        row = conn.execute(
            select(users.c.name, user_tokens.c.revoked_at)
            .join(users, users.c.id == user_tokens.c.user_id)
            .where(user_tokens.c.id == token_id)
        ).first()
        if row is None:
            raise PeopleError(f"no token {token_id}")
        if row.name != actor.name:
            actor.require("admin", "revoke other users' tokens")
        if row.revoked_at is not None:
            raise PeopleError(f"token {token_id} is revoked already")
        conn.execute(update(user_tokens).where(user_tokens.c.id == token_id).values(revoked_at=datetime.now(UTC)))
        chain.append(Event(actor.name, "token-revoke", subject=f"user {row.name}", detail={"token": token_id, "via": actor.via}))
    return str(row.name)
