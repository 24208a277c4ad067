"""What a running web application is configured with: database, tokens, books folders, limits.

Everything the server may touch on disk is named here by the operator (the database URL and the books
folders, by name); nothing a request carries is ever turned into a path.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dailyseg.parse import MAX_DOCUMENT_BYTES

TOKEN_ENV = "DAILYSEG_TOKEN"
READ_TOKEN_ENV = "DAILYSEG_READ_TOKEN"


@dataclass(frozen=True)
class Settings:
    """The configuration of one application.

    `db_url` None means the store's default (see `dailyseg.store.default_url`). `write_token` None means
    nothing can be written through the web. `read_token` None means reading is open to anyone who can
    reach the server; when set, every page and API read needs it (or the write token) as a bearer token.
    `books` maps a name shown to users to a folder on the server: users pick by name, never by path.
    `secret` signs the forms' anti-forgery tokens; a fresh random one per process unless given.
    """

    db_url: str | None = None
    write_token: str | None = None
    read_token: str | None = None
    books: Mapping[str, Path] = field(default_factory=dict)
    max_upload_bytes: int = MAX_DOCUMENT_BYTES
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    csrf_max_age_s: int = 8 * 3600

    def __post_init__(self) -> None:
        if self.max_upload_bytes <= 0:
            raise ValueError("max_upload_bytes must be positive")
        for name in self.books:
            if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"books name {name!r}: use letters, digits, '-', '_' or '.'")

    def may_write(self, token: str | None) -> bool:
        return _matches(token, self.write_token)

    def may_read(self, token: str | None) -> bool:
        return self.read_token is None or _matches(token, self.read_token) or _matches(token, self.write_token)


def _matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no configured token matches nothing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
