"""Who is asking, and the one rule of each route that says who may.

Every route carries one `Rule` as a dependency (`dependencies=[Depends(PREPARER)]` or its router's), and the
rule is the whole answer to "who may call this": tests/web/test_role_matrix.py walks `app.routes`, fails for
a non-GET route without one, and calls each route as anonymous, viewer, preparer, signer and admin.

Who is asking, in this order:

- a bearer token: the server's shared write token is the service account `service` (people.py), which only
  stores uploaded filings; a personal token (`dst_...`) is its user; the read token only reads;
- else, on the pages and on the API's reads, the session cookie of a signed-in user (dailyseg.store.sessions). The API's
  writes take bearer tokens only: a browser sends its cookie on its own, a bearer token never, so the API
  needs no anti-forgery token while the pages' forms carry one (security.Csrf).

A refusal: nobody identified gets 401 on the API and, on a page, a redirect to the sign-in page that comes
back afterwards (`/login?next=...`); someone without the role gets 403 saying which role it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request

from dailyseg.store.database import store_errors
from dailyseg.store.people import ROLES, SERVICE, TOKEN_PREFIX, Actor, Denied, authenticate
from dailyseg.store.sessions import SESSION_COOKIE, Session, current
from dailyseg.web.deps import StoreHolder
from dailyseg.web.errors import wants_json
from dailyseg.web.security import bearer_token, settings_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/login"


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: an actor (None: nobody identified), the session it came with, and whether it
    carries a token that reads (the read token, or any token the server knows); `bad_token` when it carried a
    bearer token that is nobody's."""

    actor: Actor | None
    session: Session | None = None
    reads: bool = False
    bad_token: bool = False


def by_token(request: Request, token: str) -> Caller:
    """Who a token stands for (the service account, a user, the read token's holder, or nobody: `bad_token`)."""
    settings = settings_of(request)
    if settings.may_write(token):
        return Caller(Actor(SERVICE, None, frozenset(), "service token"), reads=True)
    if token.startswith(TOKEN_PREFIX):
        holder: StoreHolder = request.app.state.store
        store = holder.get()
        try:
            with store_errors(store.engine.url), store.engine.connect() as conn:
                return Caller(authenticate(conn, token=token), reads=True)
        except Denied:
            return Caller(None, bad_token=True)
    return Caller(None, reads=settings.knows(token), bad_token=not settings.knows(token))


def caller(request: Request) -> Caller:
    """Who is asking (worked out once per request)."""
    known: Caller | None = getattr(request.state, "caller", None)
    if known is not None:
        return known
    token = bearer_token(request)
    found = Caller(None)
    if token is not None:
        found = by_token(request, token)
    elif SESSION_COOKIE in request.cookies and not (wants_json(request.url.path) and request.method not in SAFE_METHODS):
        holder: StoreHolder = request.app.state.store
        session = current(holder.get(), settings_of(request), request.cookies[SESSION_COOKIE])
        if session is not None:
            found = Caller(session.actor, session, reads=True)
    request.state.caller = found
    return found


def signed_in(request: Request) -> Actor | None:
    """The user of the request's session or token, for the pages' header (None for nobody, or the read token)."""
    return caller(request).actor


def safe_next(target: str | None) -> str:
    """A place on this site to go back to after signing in: a path, never another host (default the firms)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//") or "\\" in target:
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


def login_url(request: Request) -> str:
    """The sign-in page, coming back here (or, after a form, to the page the form was on)."""
    if request.method in SAFE_METHODS:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        back = safe_next(urlsplit(request.headers.get("referer", "")).path or "/")
    return f"{LOGIN_PATH}?next={quote(safe_next(back), safe='/')}"


class SignInNeeded(HTTPException):
    """Raised by a rule on a page for someone not signed in: the error handler answers with the redirect."""

    def __init__(self, location: str) -> None:
        super().__init__(303, "sign in to go on", headers={"Location": location})


RuleName = Literal["public", "read", "store", "preparer", "signer", "file", "admin", "member"]


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anyone (`public`), whoever may read (by the server's reading configuration), or
    a user holding one of `roles` (and the service account when `service`)."""

    name: RuleName
    roles: frozenset[str] = frozenset()
    service: bool = False
    doing: str = ""

    def allows(self, actor: Actor | None) -> bool:
        if self.name in ("public", "read"):
            return True
        if actor is None:
            return False
        return bool(self.roles & actor.roles) or (self.service and actor.name == SERVICE)

    def __call__(self, request: Request) -> Caller:
        who = caller(request)
        if self.name == "public":
            return who
        settings = settings_of(request)
        if self.name == "read" and (settings.reading_open or who.reads):
            return who
        if who.actor is None:
            self._unidentified(request, who)
        if not self.allows(who.actor):
            assert who.actor is not None
            roles = " or ".join(sorted(self.roles))
            raise HTTPException(403, f"{who.actor.name} may not {self.doing}: that needs the {roles} role")
        return who

    def _unidentified(self, request: Request, who: Caller) -> None:
        """Refuse nobody identified: 401 on the API (or with a bad token), else the sign-in page."""
        settings, token = settings_of(request), bearer_token(request) or ""
        if wants_json(request.url.path) or who.bad_token:
            personal = token.startswith(TOKEN_PREFIX)
            if self.service and token and not personal and settings.write_token is None:
                raise HTTPException(403, "this server accepts no writes: it was started without a write token")
            if who.bad_token:
                message = "the token is not valid: unknown, revoked, or its user is disabled" if personal else "the token is not valid"
                if self.service and not personal:
                    message = "the write token is not valid"
            elif self.name == "read":
                message = "reading needs a bearer token on this server (Authorization: Bearer TOKEN)"
            else:
                message = f"to {self.doing}, send a token (Authorization: Bearer TOKEN) of a user who may"
            raise HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})
        if self.name == "read" and not settings.read_needs_sign_in:
            raise HTTPException(401, "reading needs a bearer token on this server (Authorization: Bearer TOKEN)")
        raise SignInNeeded(login_url(request))


PUBLIC = Rule("public")
READER = Rule("read")
STORER = Rule("store", frozenset({"preparer"}), service=True, doing="store filings")
PREPARER = Rule("preparer", frozenset({"preparer"}), doing="prepare or review filings")
SIGNER = Rule("signer", frozenset({"signer"}), doing="approve filings")
FILER = Rule("file", frozenset({"preparer", "signer"}), doing="mark filings as filed")
ADMIN = Rule("admin", frozenset({"admin"}), doing="manage users")
# The closes and the audit log are the reporting team's working record: any user may read them, nobody else.
MEMBER = Rule("member", frozenset(ROLES), doing="see the daily close")
