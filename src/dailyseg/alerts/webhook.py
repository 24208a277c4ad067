"""One webhook attempt: an HTTP POST of the JSON body, signed, with a timeout.

The receiver checks `X-Dailyseg-Signature: sha256=<hex>`, the HMAC-SHA256 of the body's exact bytes under the
subscription's secret (`verify` is the check, for receivers written in Python); `X-Dailyseg-Timestamp` is
when the attempt was made (Unix seconds), `X-Dailyseg-Event` the event's stable id and `X-Dailyseg-Delivery`
the delivery's number. Delivery is at least once (a sender stopped after the receiver answered but before
the answer was recorded sends again), so a receiver that must act once keeps the event ids it has seen.

Any 2xx answer is delivered. Anything else, a redirect included (a POST must not silently turn into a GET
elsewhere), a timeout or a refused connection, is a failed attempt, described in one line for the log.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from datetime import datetime
from typing import IO, Any

from dailyseg import __version__

TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Dailyseg-Signature"
TIMESTAMP_HEADER = "X-Dailyseg-Timestamp"
EVENT_HEADER = "X-Dailyseg-Event"
DELIVERY_HEADER = "X-Dailyseg-Delivery"
_ANSWER_SHOWN = 200  # characters of a refusing receiver's answer kept in the log


class AttemptFailed(Exception):
    """An attempt did not deliver; the message is the log's one line."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` under `secret` (compared in constant time)."""
    return header is not None and hmac.compare_digest(signature(secret, body), header)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, secret: str, body: bytes, *, event_id: str, delivery_id: int, at: datetime, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST `body` to `url`; AttemptFailed unless the receiver answers 2xx within `timeout` seconds."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"dailyseg/{__version__}",
        SIGNATURE_HEADER: signature(secret, body),
        TIMESTAMP_HEADER: str(int(at.timestamp())),
        EVENT_HEADER: event_id,
        DELIVERY_HEADER: str(delivery_id),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError as refused:
        text = " ".join(refused.read(_ANSWER_SHOWN).decode("utf-8", "replace").split())
        raise AttemptFailed(f"HTTP {refused.code} {refused.reason}" + (f": {text}" if text else "")) from None
    except urllib.error.URLError as unreachable:
        raise AttemptFailed(f"cannot reach {url}: {unreachable.reason}") from None
    except TimeoutError:
        raise AttemptFailed(f"no answer from {url} within {timeout:g} s") from None
    except OSError as broken:
        raise AttemptFailed(f"connection to {url} failed: {broken}") from None
