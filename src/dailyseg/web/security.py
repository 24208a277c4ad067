"""The request's bearer token, the reading rule the routers share, and protection of the pages' forms against
cross-site request forgery (who may do what is `dailyseg.web.access`).

The API's writes authenticate with a bearer token (never sent by a browser on its own, so the API needs no
anti-forgery token). The pages' forms, which a signed-in browser sends with its session cookie, use a signed
double-submit token: a random value in a strict same-site cookie, and its signature (made with the server's
secret, limited in age) in a hidden field. A forged form from another site can send neither. `csrf_checked`
is the dependency every form route takes.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Form, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dailyseg.web.settings import Settings

CSRF_COOKIE = "dailyseg_csrf"
CSRF_FIELD = "csrf_token"
_COOKIE_LENGTH = 43  # secrets.token_urlsafe(32)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_read(request: Request) -> None:
    """The routers' dependency of every read: the `read` rule of `dailyseg.web.access` (imported here, when first
    called, because access needs this module's helpers)."""
    from dailyseg.web.access import READER

    READER(request)


class Csrf:
    """Issues and checks the forms' anti-forgery tokens."""

    def __init__(self, secret: bytes, max_age_s: int) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="dailyseg-form")
        self._max_age_s = max_age_s

    def issue(self, request: Request) -> tuple[str, str | None]:
        """The token for a form, and a new cookie value to set when the browser has none yet."""
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if cookie is None or len(cookie) != _COOKIE_LENGTH:
            cookie = fresh = secrets.token_urlsafe(32)
        return self._signer.dumps(cookie), fresh

    def verify(self, request: Request, submitted: str) -> None:
        cookie = request.cookies.get(CSRF_COOKIE)
        try:
            signed = self._signer.loads(submitted, max_age=self._max_age_s) if submitted else None
        except BadSignature:
            signed = None
        if cookie is None or signed is None or not secrets.compare_digest(str(signed), cookie):
            raise HTTPException(403, "this form has expired or did not come from this site: reload the page and send it again")


def csrf_checked(request: Request, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> None:
    """The dependency of every form a page posts: 403 without this site's anti-forgery token."""
    csrf: Csrf = request.app.state.csrf
    csrf.verify(request, csrf_token)
