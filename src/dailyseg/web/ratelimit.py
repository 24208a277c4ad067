"""Uploads without a token, limited per client address: a token bucket each, kept in memory.

Anyone who can reach the server may have a document read (`POST /api/validate` while reading is open, and
`POST /upload`, whose form token is handed to anyone); reading costs CPU, so one address may send a burst
(`anonymous_uploads_burst`) and then `anonymous_uploads_per_minute`. Requests with a token the server gave
out are not counted. The buckets are per process and forgotten on restart: this bounds a careless or
hostile client, it is not an account of use. At most `MAX_CLIENTS` addresses are remembered (the least
recently seen are forgotten first), so the limiter's own memory is bounded too.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from fastapi import HTTPException, Request

from dailyseg.web.security import bearer_token, settings_of
from dailyseg.web.settings import Settings

MAX_CLIENTS = 10_000


class TokenBuckets:
    """One bucket per key: `burst` tokens, refilled at `per_minute`; taking from an empty one says how long to wait."""

    def __init__(self, burst: int, per_minute: float) -> None:
        self._burst = float(burst)
        self._rate = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token for `key`: 0 when there was one, else the seconds until there will be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - then) * self._rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return wait


def anonymous_uploads(settings: Settings) -> TokenBuckets:
    return TokenBuckets(settings.anonymous_uploads_burst, settings.anonymous_uploads_per_minute)


def limit_anonymous_upload(request: Request, token: str | None = None) -> None:
    """Count an upload against its client address unless it carries a token this server knows (429 past the limit).

    `token` is a token given another way than the Authorization header (the upload page's write-token field).
    """
    settings = settings_of(request)
    if settings.knows(bearer_token(request)) or settings.knows(token):
        return
    buckets: TokenBuckets = request.app.state.anonymous_uploads
    client = request.client.host if request.client is not None else "-"
    wait = buckets.take(client)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            429, f"too many uploads from this address without a token: try again in {seconds} s", headers={"Retry-After": str(seconds)}
        )
