"""Uploads without a token, limited per client address: a token bucket each, kept in a small SQLite table.

Anyone who can reach the server may have a document read (`POST /api/validate` while reading is open, and
`POST /upload`, whose form token is handed to anyone); reading costs CPU, so one address may send a burst
(`anonymous_uploads_burst`) and then `anonymous_uploads_per_minute`. Requests with a token the server gave
out are not counted. The buckets are forgotten on restart: this bounds a careless or hostile client, it is
not an account of use. At most `MAX_CLIENTS` addresses are remembered (the least recently seen are forgotten
first), so the limiter's own memory is bounded too.

The table is in memory for one server process, or in the file `Settings.limits_path` when several server
processes answer on one socket (`dailyseg serve --workers`): an address's uploads then count once whichever
process gets them. SQLite's write lock makes each take atomic across the processes; `time.monotonic` is one
clock for every process of the machine.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from pathlib import Path

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from dailyseg.web.security import bearer_token, settings_of
from dailyseg.web.settings import Settings

MAX_CLIENTS = 10_000
# How long a process waits for another's take to finish (each is a few statements on a tiny table).
_BUSY_TIMEOUT_S = 5.0
# Each take re-inserts its row, so rowid order is the order addresses were last seen in.
_SCHEMA = "CREATE TABLE IF NOT EXISTS buckets (client TEXT PRIMARY KEY, tokens REAL NOT NULL, seen REAL NOT NULL)"
_FORGET_OLDEST = "DELETE FROM buckets WHERE rowid <= (SELECT rowid FROM buckets ORDER BY rowid DESC LIMIT 1 OFFSET ?)"


class TokenBuckets:
    """One bucket per key: `burst` tokens, refilled at `per_minute`; taking from an empty one says how long to wait.

    `path` None keeps the buckets in this process's memory; a file shares them with every process opening it.
    """

    def __init__(self, burst: int, per_minute: float, path: Path | None = None) -> None:
        self._burst = float(burst)
        self._rate = per_minute / 60.0
        self._db = sqlite3.connect(
            str(path) if path is not None else ":memory:", timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        # Forgotten on restart anyway: no journal on disk and no fsync, only SQLite's locks between the processes.
        self._db.execute("PRAGMA journal_mode = MEMORY")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token for `key`: 0 when there was one, else the seconds until there will be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = self._db.execute("SELECT tokens, seen FROM buckets WHERE client = ?", (key,)).fetchone()
                tokens, then = found if found is not None else (self._burst, now)
                tokens = min(self._burst, tokens + (now - then) * self._rate)
                wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
                self._db.execute("DELETE FROM buckets WHERE client = ?", (key,))
                self._db.execute("INSERT INTO buckets VALUES (?, ?, ?)", (key, tokens - 1 if wait == 0 else tokens, now))
                self._db.execute(_FORGET_OLDEST, (MAX_CLIENTS,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return wait


def anonymous_uploads(settings: Settings) -> TokenBuckets:
    return TokenBuckets(settings.anonymous_uploads_burst, settings.anonymous_uploads_per_minute, settings.limits_path)


async def limit_anonymous_upload(request: Request, token: str | None = None) -> None:
    """Count an upload against its client address unless it carries a token this server knows (429 past the limit).

    `token` is a token given another way than the Authorization header (the upload page's write-token field).
    The take runs in a thread: with several server processes it may wait for another's lock on the file, which
    must not stop the event loop.
    """
    settings = settings_of(request)
    if settings.knows(bearer_token(request)) or settings.knows(token):
        return
    buckets: TokenBuckets = request.app.state.anonymous_uploads
    client = request.client.host if request.client is not None else "-"
    wait = await run_in_threadpool(buckets.take, client)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            429, f"too many uploads from this address without a token: try again in {seconds} s", headers={"Retry-After": str(seconds)}
        )
