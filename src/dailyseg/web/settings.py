"""What a running web application is configured with: database, tokens, books folders, limits.

Everything the server may touch on disk is named here by the operator (the database URL and the books
folders, by name); nothing a request carries is ever turned into a path.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dailyseg.parse import MAX_DOCUMENT_BYTES

TOKEN_ENV = "DAILYSEG_TOKEN"
READ_TOKEN_ENV = "DAILYSEG_READ_TOKEN"
_SIGN_IN_LIMITS = ("session_idle_s", "session_lifetime_s", "sign_in_limit_per_name", "sign_in_limit_per_address", "sign_in_window_s")


def cores() -> int:
    """The cores this process may run on (its CPU affinity), which is what bounds work done at once."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """The configuration of one application.

    `db_url` None means the store's default (see `dailyseg.store.default_url`). `write_token` None means
    nothing can be written through the web. `read_token` None means reading is open to anyone who can
    reach the server; when set, every page and API read needs it (or the write token) as a bearer token.
    `books` maps a name shown to users to a folder on the server: users pick by name, never by path.
    `secret` signs the forms' anti-forgery tokens; a fresh random one per process unless given.

    Heavy work (reading and validating an uploaded document, computing from books, rendering a PDF) runs
    off the event loop, so that one request cannot keep the others waiting (`dailyseg.web.work`):

    - `heavy_workers`: how many run at once, default one per core (the work is CPU-bound: more at once only
      makes each slower). Documents are read in that many worker processes.
    - `heavy_queue`: how many more may wait for one of those; past it a request gets 503 with `Retry-After`
      (`busy_retry_after_s`) at once, instead of piling up. Default 4: two rounds of the default workers.
    - `heavy_deadline_s`: the most a heavy request may take, waiting included; past it the client gets
      504 and a worker process is stopped (a computation in a thread is left to finish, still counted as
      running). Default 20 s: a real filing reads in milliseconds, a PDF renders in about 3 s.
    - `worker_memory_bytes`: the memory a worker process may take on top of what it holds when idle, so
      a document that would need more is refused (413) instead of growing the server. Default 512 MiB.
    - `anonymous_uploads_burst` and `anonymous_uploads_per_minute`: a token bucket per client address for
      uploads without a token (`POST /api/validate`, `POST /upload`); past it 429 with `Retry-After`.
      Default a burst of 10, then 12 a minute.
    - `limits_path`: the file holding those buckets when several server processes share them (`dailyseg
      serve --workers`, which makes it in a private folder); None, the default: in this process's memory.

    People sign in on the pages (`dailyseg.store.sessions`, docs/web-sign-in.md):

    - `read_needs_sign_in`: reading (pages and API) needs a signed-in user, a personal API token or the read
      token; default False (reading is open unless `read_token` is set).
    - `session_idle_s` and `session_lifetime_s`: a session ends after this long without a request (default
      30 minutes) and this long after sign-in whatever happens (default 12 hours: one working day).
    - `sign_in_limit_per_name` and `sign_in_limit_per_address`: failed sign-ins allowed within
      `sign_in_window_s` for one user name (default 5) and from one address (default 20, as several people
      may sit behind one address) before sign-in is refused for the rest of the window (default 15 minutes).

    `warm_answers`: judge every firm's first answers in the background when the application starts
    (`web.warming`), so that the first visitors after a start read them; `dailyseg serve` turns it on, the
    default is off (an application made for a test or a script judges only what it is asked). With it on, the
    server also judges again the first answers of each firm whose revision changes, whoever stored its filing:
    it looks every `rejudge_every_s` seconds (default 1: one small query when nothing changed; 0 looks only when
    an upload to this process stored something).
    """

    db_url: str | None = None
    write_token: str | None = None
    read_token: str | None = None
    books: Mapping[str, Path] = field(default_factory=dict)
    max_upload_bytes: int = MAX_DOCUMENT_BYTES
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    csrf_max_age_s: int = 8 * 3600
    heavy_workers: int = field(default_factory=cores)
    heavy_queue: int = 4
    heavy_deadline_s: float = 20.0
    worker_memory_bytes: int = 512 * 1024 * 1024
    busy_retry_after_s: int = 5
    anonymous_uploads_burst: int = 10
    anonymous_uploads_per_minute: float = 12.0
    limits_path: Path | None = None
    read_needs_sign_in: bool = False
    session_idle_s: int = 30 * 60
    session_lifetime_s: int = 12 * 3600
    sign_in_limit_per_name: int = 5
    sign_in_limit_per_address: int = 20
    sign_in_window_s: int = 15 * 60
    warm_answers: bool = False
    rejudge_every_s: float = 1.0

    def __post_init__(self) -> None:
        if self.max_upload_bytes <= 0:
            raise ValueError("max_upload_bytes must be positive")
        positive = ("heavy_workers", "heavy_deadline_s", "worker_memory_bytes", "busy_retry_after_s", *_SIGN_IN_LIMITS)
        for name in (*positive, "anonymous_uploads_burst", "anonymous_uploads_per_minute"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("heavy_queue", "rejudge_every_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in self.books:
            if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"books name {name!r}: use letters, digits, '-', '_' or '.'")

    def may_write(self, token: str | None) -> bool:
        return _matches(token, self.write_token)

    @property
    def reading_open(self) -> bool:
        """Whether anyone who reaches the server may read, without a token or a sign-in."""
        return self.read_token is None and not self.read_needs_sign_in

    def knows(self, token: str | None) -> bool:
        """Whether the token is one this server gave out (read or write): such requests are not anonymous."""
        return _matches(token, self.read_token) or _matches(token, self.write_token)


def _matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no configured token matches nothing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
