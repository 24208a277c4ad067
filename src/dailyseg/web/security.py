"""Who may read and write, and protection of the pages' forms against cross-site request forgery.

The API authenticates with a bearer token (never sent by a browser on its own, so the API needs no
anti-forgery token). The pages' forms use a signed double-submit token: a random value in a strict
same-site cookie, and its signature (made with the server's secret, limited in age) in a hidden field.
A forged form from another site can send neither.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request
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
    """A dependency of every read: passes when reading is open or the request carries a good token."""
    if not settings_of(request).may_read(bearer_token(request)):
        raise HTTPException(
            401, "reading needs a bearer token on this server (Authorization: Bearer TOKEN)", headers={"WWW-Authenticate": "Bearer"}
        )


def check_write_token(settings: Settings, token: str | None) -> None:
    """Refuse a write without the write token: 401 when missing or wrong, 403 when the server takes none."""
    if not token:
        raise HTTPException(
            401, "storing a filing needs the write token (Authorization: Bearer TOKEN)", headers={"WWW-Authenticate": "Bearer"}
        )
    if settings.write_token is None:
        raise HTTPException(403, "this server accepts no writes: it was started without a write token")
    if not settings.may_write(token):
        raise HTTPException(401, "the write token is not valid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def require_write(request: Request) -> None:
    check_write_token(settings_of(request), bearer_token(request))


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
